#include "chatterbox/chat/typing_tracker.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace chatterbox {
namespace {

using namespace std::chrono_literals;

struct change {
  std::int64_t user_id;
  std::string username;
  bool active;
  bool operator==(const change&) const = default;
};

void PrintTo(const change& c, std::ostream* os) {
  *os << "{" << c.user_id << ", " << c.username << ", " << (c.active ? "true" : "false") << "}";
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
  typing_tracker tracker{io, timeout,
                         [this](std::int64_t id, const std::string& name, bool active) {
                           changes.push_back({id, name, active});
                         }};
  int tab1 = 0;  // addresses stand in for connections
  int tab2 = 0;
};

TEST_F(typing_tracker_test, SetTrueNotifiesTrueAtOnce) {
  tracker.set(1, "alice", &tab1, true);
  EXPECT_EQ(changes, (std::vector<change>{{1, "alice", true}}));
  tracker.clear();
}

TEST_F(typing_tracker_test, ExpiryNotifiesFalseExactlyOnce) {
  tracker.set(1, "alice", &tab1, true);
  const auto started = std::chrono::steady_clock::now();
  run_until_changes(2);
  const auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(changes, (std::vector<change>{{1, "alice", true}, {1, "alice", false}}));
  EXPECT_GE(waited, timeout);

  run_for(4 * timeout);  // nothing more: the expiry is not repeated
  EXPECT_EQ(changes.size(), 2u);
  // With no timers left the loop has nothing to do.
  io.restart();
  EXPECT_EQ(io.poll(), 0u);
}

TEST_F(typing_tracker_test, RefreshReNotifiesAndReArmsTheTimer) {
  tracker.set(1, "alice", &tab1, true);
  // Keep refreshing for well over one timeout: the state must stay on.
  const auto until = std::chrono::steady_clock::now() + 3 * timeout;
  std::size_t refreshes = 1;
  while (std::chrono::steady_clock::now() < until) {
    run_for(timeout / 5);
    tracker.set(1, "alice", &tab1, true);
    ++refreshes;
  }
  ASSERT_EQ(changes.size(), refreshes);
  for (const auto& c : changes) EXPECT_EQ(c, (change{1, "alice", true}));

  // Then stop refreshing: exactly one false follows.
  run_until_changes(refreshes + 1);
  ASSERT_EQ(changes.size(), refreshes + 1);
  EXPECT_EQ(changes.back(), (change{1, "alice", false}));
  run_for(2 * timeout);
  EXPECT_EQ(changes.size(), refreshes + 1);
}

TEST_F(typing_tracker_test, SetFalseNotifiesFalseOnceAndCancelsExpiry) {
  tracker.set(1, "alice", &tab1, true);
  tracker.set(1, "alice", &tab1, false);
  EXPECT_EQ(changes, (std::vector<change>{{1, "alice", true}, {1, "alice", false}}));

  tracker.set(1, "alice", &tab1, false);  // already off: nothing
  run_for(3 * timeout);                   // and the cancelled expiry adds no second false
  EXPECT_EQ(changes.size(), 2u);
}

TEST_F(typing_tracker_test, SetFalseWhenNotTypingNotifiesNothing) {
  tracker.set(1, "alice", &tab1, false);
  EXPECT_TRUE(changes.empty());
}

TEST_F(typing_tracker_test, StopEndsTypingOnce) {
  tracker.set(1, "alice", &tab1, true);
  tracker.stop(1);
  EXPECT_EQ(changes, (std::vector<change>{{1, "alice", true}, {1, "alice", false}}));
  tracker.stop(1);
  run_for(3 * timeout);
  EXPECT_EQ(changes.size(), 2u);
}

TEST_F(typing_tracker_test, UsersAreIndependent) {
  tracker.set(1, "alice", &tab1, true);
  tracker.set(2, "bob", &tab2, true);
  tracker.stop(1);
  EXPECT_EQ(changes.back(), (change{1, "alice", false}));
  run_until_changes(4);
  EXPECT_EQ(changes,
            (std::vector<change>{
                {1, "alice", true}, {2, "bob", true}, {1, "alice", false}, {2, "bob", false}}));
}

TEST_F(typing_tracker_test, SourceClosedFromAnotherSourceDoesNothing) {
  tracker.set(1, "alice", &tab1, true);
  tracker.source_closed(1, &tab2);
  EXPECT_EQ(changes.size(), 1u);
  tracker.source_closed(2, &tab1);  // another user
  EXPECT_EQ(changes.size(), 1u);
  tracker.clear();
}

TEST_F(typing_tracker_test, SourceClosedFromTheTypingSourceEndsIt) {
  tracker.set(1, "alice", &tab1, true);
  tracker.source_closed(1, &tab1);
  EXPECT_EQ(changes, (std::vector<change>{{1, "alice", true}, {1, "alice", false}}));
  run_for(3 * timeout);
  EXPECT_EQ(changes.size(), 2u);
}

TEST_F(typing_tracker_test, LatestTypingSourceOwnsTheState) {
  tracker.set(1, "alice", &tab1, true);
  tracker.set(1, "alice", &tab2, true);  // the user moved to another tab
  tracker.source_closed(1, &tab1);
  EXPECT_EQ(changes.size(), 2u);
  tracker.source_closed(1, &tab2);
  EXPECT_EQ(changes.back(), (change{1, "alice", false}));
}

TEST_F(typing_tracker_test, ClearCancelsTimersSoRunReturnsPromptly) {
  tracker.set(1, "alice", &tab1, true);
  tracker.set(2, "bob", &tab2, true);
  ASSERT_EQ(changes.size(), 2u);
  // A long timeout proves clear() cancelled it; the default one would expire on its own.
  typing_tracker slow(io, 1h, [this](std::int64_t id, const std::string& name, bool active) {
    changes.push_back({id, name, active});
  });
  slow.set(3, "carol", &tab1, true);
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
  tracker.set(1, "alice", &tab1, true);
  run_until_changes(2);
  ASSERT_EQ(changes.size(), 2u);
  tracker.set(1, "alice", &tab2, true);
  run_until_changes(4);
  EXPECT_EQ(changes,
            (std::vector<change>{
                {1, "alice", true}, {1, "alice", false}, {1, "alice", true}, {1, "alice", false}}));
}

}  // namespace
}  // namespace chatterbox
