#include "chatterbox/chat/typing_tracker.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

namespace chatterbox {
namespace {

using namespace std::chrono_literals;

struct change {
  std::int64_t room;
  std::int64_t user_id;
  std::string username;
  bool active;
  bool operator==(const change&) const = default;
};

void PrintTo(const change& c, std::ostream* os) {
  *os << "{room " << c.room << ", " << c.user_id << ", " << c.username << ", "
      << (c.active ? "true" : "false") << "}";
}

constexpr auto timeout = 50ms;

class typing_tracker_test : public ::testing::Test {
 protected:
  // Runs the loop until `count` changes were recorded (bounded, so a missing expiry fails
  // instead of hanging).
  void run_until_changes(std::size_t count, std::chrono::milliseconds bound = 2s) {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    while (changes.size() < count && std::chrono::steady_clock::now() < deadline) {
      io.restart();
      io.run_for(5ms);
    }
  }

  // Runs the loop for a while, for checking that nothing (more) happens.
  void run_for(std::chrono::milliseconds duration) {
    io.restart();
    io.run_for(duration);
  }

  boost::asio::io_context io;
  std::vector<change> changes;
  typing_tracker tracker{
      io, timeout,
      [this](std::int64_t room, std::int64_t id, const std::string& name, bool active) {
        changes.push_back({room, id, name, active});
      }};
  int tab1 = 0;  // addresses stand in for connections
  int tab2 = 0;
};

TEST_F(typing_tracker_test, SetTrueNotifiesTrueAtOnce) {
  tracker.set(7, 1, "alice", &tab1, true);
  EXPECT_EQ(changes, (std::vector<change>{{7, 1, "alice", true}}));
  tracker.clear();
}

TEST_F(typing_tracker_test, ExpiryNotifiesFalseExactlyOnce) {
  // Taken before the timer is set: after it, the clock could read a little later than the
  // moment the expiry is counted from.
  const auto started = std::chrono::steady_clock::now();
  tracker.set(7, 1, "alice", &tab1, true);
  run_until_changes(2);
  const auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(changes, (std::vector<change>{{7, 1, "alice", true}, {7, 1, "alice", false}}));
  EXPECT_GE(waited, timeout);

  run_for(4 * timeout);  // nothing more: the expiry is not repeated
  EXPECT_EQ(changes.size(), 2u);
  // With no timers left the loop has nothing to do.
  io.restart();
  EXPECT_EQ(io.poll(), 0u);
}

TEST_F(typing_tracker_test, RefreshReNotifiesAndReArmsTheTimer) {
  // A longer timeout than the fixture's: refreshes a tenth of it apart must never let it expire,
  // even on a loaded machine (the loop may run late by far more than 10 ms there).
  constexpr auto long_timeout = 400ms;
  typing_tracker slow(
      io, long_timeout,
      [this](std::int64_t room, std::int64_t id, const std::string& name, bool active) {
        changes.push_back({room, id, name, active});
      });
  slow.set(7, 1, "alice", &tab1, true);
  // Keep refreshing for well over one timeout: the state must stay on.
  const auto until = std::chrono::steady_clock::now() + 3 * long_timeout;
  std::size_t refreshes = 1;
  while (std::chrono::steady_clock::now() < until) {
    run_for(long_timeout / 10);
    slow.set(7, 1, "alice", &tab1, true);
    ++refreshes;
  }
  ASSERT_EQ(changes.size(), refreshes);
  for (const auto& c : changes) EXPECT_EQ(c, (change{7, 1, "alice", true}));

  // Then stop refreshing: exactly one false follows.
  run_until_changes(refreshes + 1, 5s);
  ASSERT_EQ(changes.size(), refreshes + 1);
  EXPECT_EQ(changes.back(), (change{7, 1, "alice", false}));
  run_for(long_timeout);
  EXPECT_EQ(changes.size(), refreshes + 1);
}

TEST_F(typing_tracker_test, SetFalseNotifiesFalseOnceAndCancelsExpiry) {
  tracker.set(7, 1, "alice", &tab1, true);
  tracker.set(7, 1, "alice", &tab1, false);
  EXPECT_EQ(changes, (std::vector<change>{{7, 1, "alice", true}, {7, 1, "alice", false}}));

  tracker.set(7, 1, "alice", &tab1, false);  // already off: nothing
  run_for(3 * timeout);                      // and the cancelled expiry adds no second false
  EXPECT_EQ(changes.size(), 2u);
}

TEST_F(typing_tracker_test, SetFalseWhenNotTypingNotifiesNothing) {
  tracker.set(7, 1, "alice", &tab1, false);
  EXPECT_TRUE(changes.empty());
}

TEST_F(typing_tracker_test, StopEndsTypingOnce) {
  tracker.set(7, 1, "alice", &tab1, true);
  tracker.stop(7, 1);
  EXPECT_EQ(changes, (std::vector<change>{{7, 1, "alice", true}, {7, 1, "alice", false}}));
  tracker.stop(7, 1);
  run_for(3 * timeout);
  EXPECT_EQ(changes.size(), 2u);
}

TEST_F(typing_tracker_test, UsersAreIndependent) {
  tracker.set(7, 1, "alice", &tab1, true);
  tracker.set(7, 2, "bob", &tab2, true);
  tracker.stop(7, 1);
  EXPECT_EQ(changes.back(), (change{7, 1, "alice", false}));
  run_until_changes(4);
  EXPECT_EQ(changes, (std::vector<change>{{7, 1, "alice", true},
                                          {7, 2, "bob", true},
                                          {7, 1, "alice", false},
                                          {7, 2, "bob", false}}));
}

TEST_F(typing_tracker_test, SourceClosedFromAnotherSourceDoesNothing) {
  tracker.set(7, 1, "alice", &tab1, true);
  tracker.source_closed(1, &tab2);
  EXPECT_EQ(changes.size(), 1u);
  tracker.source_closed(2, &tab1);  // another user
  EXPECT_EQ(changes.size(), 1u);
  tracker.clear();
}

TEST_F(typing_tracker_test, SourceClosedFromTheTypingSourceEndsIt) {
  tracker.set(7, 1, "alice", &tab1, true);
  tracker.source_closed(1, &tab1);
  EXPECT_EQ(changes, (std::vector<change>{{7, 1, "alice", true}, {7, 1, "alice", false}}));
  run_for(3 * timeout);
  EXPECT_EQ(changes.size(), 2u);
}

TEST_F(typing_tracker_test, LatestTypingSourceOwnsTheState) {
  tracker.set(7, 1, "alice", &tab1, true);
  tracker.set(7, 1, "alice", &tab2, true);  // the user moved to another tab
  tracker.source_closed(1, &tab1);
  EXPECT_EQ(changes.size(), 2u);
  tracker.source_closed(1, &tab2);
  EXPECT_EQ(changes.back(), (change{7, 1, "alice", false}));
}

TEST_F(typing_tracker_test, ClearCancelsTimersSoRunReturnsPromptly) {
  tracker.set(7, 1, "alice", &tab1, true);
  tracker.set(7, 2, "bob", &tab2, true);
  ASSERT_EQ(changes.size(), 2u);
  // A long timeout proves clear() cancelled it; the default one would expire on its own.
  typing_tracker slow(
      io, 1h, [this](std::int64_t room, std::int64_t id, const std::string& name, bool active) {
        changes.push_back({room, id, name, active});
      });
  slow.set(7, 3, "carol", &tab1, true);
  ASSERT_EQ(changes.size(), 3u);

  tracker.clear();
  slow.clear();
  const auto started = std::chrono::steady_clock::now();
  io.restart();
  io.run_for(5s);  // returns as soon as there is no work
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  EXPECT_TRUE(io.stopped());
  EXPECT_EQ(changes.size(), 3u);  // clearing is shutdown, not "stopped typing"
}

TEST_F(typing_tracker_test, TypingAgainAfterExpiryStartsAFreshState) {
  tracker.set(7, 1, "alice", &tab1, true);
  run_until_changes(2);
  ASSERT_EQ(changes.size(), 2u);
  tracker.set(7, 1, "alice", &tab2, true);
  run_until_changes(4);
  EXPECT_EQ(changes, (std::vector<change>{{7, 1, "alice", true},
                                          {7, 1, "alice", false},
                                          {7, 1, "alice", true},
                                          {7, 1, "alice", false}}));
}

// --- per room (protocol 2) ---

TEST_F(typing_tracker_test, RoomsOfOneUserAreIndependent) {
  tracker.set(7, 1, "alice", &tab1, true);
  tracker.set(8, 1, "alice", &tab1, true);
  tracker.stop(7, 1);  // sent a message in room 7: room 8 keeps typing
  EXPECT_EQ(changes, (std::vector<change>{
                         {7, 1, "alice", true}, {8, 1, "alice", true}, {7, 1, "alice", false}}));
  tracker.set(8, 1, "alice", &tab1, false);
  EXPECT_EQ(changes.back(), (change{8, 1, "alice", false}));
  tracker.set(7, 1, "alice", &tab1, false);  // already off in room 7
  run_for(3 * timeout);
  EXPECT_EQ(changes.size(), 4u);
}

TEST_F(typing_tracker_test, EachRoomExpiresOnItsOwn) {
  tracker.set(7, 1, "alice", &tab1, true);
  tracker.set(8, 1, "alice", &tab1, true);
  run_until_changes(4);
  ASSERT_EQ(changes.size(), 4u);
  std::vector<change> ended(changes.begin() + 2, changes.end());
  std::sort(ended.begin(), ended.end(),
            [](const change& a, const change& b) { return a.room < b.room; });
  EXPECT_EQ(ended, (std::vector<change>{{7, 1, "alice", false}, {8, 1, "alice", false}}));
  run_for(3 * timeout);
  EXPECT_EQ(changes.size(), 4u);
}

TEST_F(typing_tracker_test, SourceClosedEndsEveryRoomItWasTypingInAndNoOther) {
  tracker.set(7, 1, "alice", &tab1, true);
  tracker.set(8, 1, "alice", &tab1, true);
  tracker.set(9, 1, "alice", &tab2, true);  // another tab of alice
  tracker.set(7, 2, "bob", &tab1, true);    // same address, other user: not alice's tab
  ASSERT_EQ(changes.size(), 4u);
  tracker.source_closed(1, &tab1);
  EXPECT_EQ(std::vector<change>(changes.begin() + 4, changes.end()),
            (std::vector<change>{{7, 1, "alice", false}, {8, 1, "alice", false}}));
  tracker.stop(9, 1);
  tracker.stop(7, 2);
  EXPECT_EQ(changes.size(), 8u);
  run_for(3 * timeout);
  EXPECT_EQ(changes.size(), 8u);
}

TEST_F(typing_tracker_test, SourceClosedDoesNotTouchNeighbouringUsersInTheMap) {
  // Keys are (user, room): users 0 and 2 sit either side of user 1's rooms.
  tracker.set(5, 0, "zero", &tab1, true);
  tracker.set(5, 2, "bob", &tab1, true);
  tracker.set(std::numeric_limits<std::int64_t>::min(), 1, "alice", &tab1, true);
  tracker.set(std::numeric_limits<std::int64_t>::max(), 1, "alice", &tab1, true);
  tracker.source_closed(1, &tab1);
  ASSERT_EQ(changes.size(), 6u);
  EXPECT_EQ(changes[4].user_id, 1);
  EXPECT_EQ(changes[5].user_id, 1);
  EXPECT_FALSE(changes[4].active);
  EXPECT_FALSE(changes[5].active);
  tracker.clear();
}

}  // namespace
}  // namespace chatterbox
