#include "chatterbox/chat/presence_tracker.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace chatterbox {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

// What the tracker told everyone, and when (to check that "gone" never comes before the grace
// period is over: steady timers never fire early, so that bound holds on any machine).
struct announcement {
  present_user user;
  bool online = false;
  clock::time_point at;
};

// The comparable part, for readable failures.
struct said {
  std::string name;
  bool online = false;
  bool operator==(const said&) const = default;
};

std::ostream& operator<<(std::ostream& os, const said& s) {
  return os << s.name << (s.online ? " joined" : " left");
}

const present_user alice{1, "alice"};
const present_user bob{2, "bob"};
const present_user carol{3, "carol"};

class presence_tracker_test : public ::testing::Test {
 protected:
  presence_tracker& make(std::chrono::milliseconds grace) {
    tracker_.emplace(io_, grace, [this](const present_user& user, bool online) {
      announced_.push_back({user, online, clock::now()});
    });
    return *tracker_;
  }

  std::vector<said> said_so_far() const {
    std::vector<said> out;
    for (const auto& a : announced_) out.push_back({a.user.name, a.online});
    return out;
  }

  // Runs the loop until `done` holds, the loop runs out of work, or the bound passes.
  template <class Done>
  void run_until(Done done, std::chrono::milliseconds bound = 5000ms) {
    const auto deadline = clock::now() + bound;
    io_.restart();
    while (!done() && !io_.stopped() && clock::now() < deadline) io_.run_one_for(10ms);
  }

  // Runs the loop until it has nothing left to do; false if work was still pending at the
  // bound (a timer that keeps the loop alive).
  bool run_out(std::chrono::milliseconds bound = 5000ms) {
    io_.restart();
    io_.run_for(bound);
    return io_.stopped();
  }

  // Lets `duration` of real time pass while the loop runs (the grace periods are real time).
  void let_pass(std::chrono::milliseconds duration) {
    boost::asio::steady_timer probe(io_, duration);
    bool fired = false;
    probe.async_wait([&](boost::system::error_code) { fired = true; });
    run_until([&] { return fired; });
    ASSERT_TRUE(fired);
  }

  boost::asio::io_context io_;
  std::optional<presence_tracker> tracker_;
  std::vector<announcement> announced_;
};

TEST_F(presence_tracker_test, FirstConnectionIsAnnouncedOnceAndAtOnce) {
  auto& presence = make(30ms);
  presence.connected(alice);
  EXPECT_EQ(said_so_far(), (std::vector<said>{{"alice", true}}));
  ASSERT_EQ(announced_.size(), 1u);
  EXPECT_EQ(announced_[0].user, alice);

  presence.connected(alice);  // already announced online
  EXPECT_EQ(announced_.size(), 1u);
  EXPECT_TRUE(presence.is_online(alice.id));
  EXPECT_EQ(presence.online_count(), 1u);
  EXPECT_TRUE(run_out());  // a join arms no timer
  EXPECT_EQ(announced_.size(), 1u);
}

TEST_F(presence_tracker_test, GoneIsAnnouncedOnlyOnceTheGraceIsOver) {
  constexpr auto grace = 30ms;
  auto& presence = make(grace);
  presence.connected(alice);
  presence.connected(bob);
  announced_.clear();

  const auto left_at = clock::now();
  presence.disconnected(alice);
  EXPECT_TRUE(announced_.empty());  // never from inside disconnected()
  EXPECT_TRUE(presence.is_online(alice.id));
  EXPECT_EQ(presence.online_names(), (std::vector<std::string>{"alice", "bob"}));

  run_until([&] { return !announced_.empty(); });
  ASSERT_EQ(said_so_far(), (std::vector<said>{{"alice", false}}));
  EXPECT_EQ(announced_[0].user, alice);
  EXPECT_GE(announced_[0].at - left_at, grace);
  EXPECT_FALSE(presence.is_online(alice.id));
  EXPECT_EQ(presence.online_names(), (std::vector<std::string>{"bob"}));
  EXPECT_TRUE(run_out());
  EXPECT_EQ(announced_.size(), 1u);
}

TEST_F(presence_tracker_test, ReconnectWithinTheGraceAnnouncesNothing) {
  auto& presence = make(30ms);
  presence.connected(alice);
  announced_.clear();

  presence.disconnected(alice);  // a reload
  presence.connected(alice);
  EXPECT_TRUE(run_out());  // the stale deadline passes
  EXPECT_TRUE(announced_.empty());
  EXPECT_TRUE(presence.is_online(alice.id));

  // The stale deadline left nothing behind: a real departure is still announced, once.
  presence.disconnected(alice);
  EXPECT_TRUE(run_out());
  EXPECT_EQ(said_so_far(), (std::vector<said>{{"alice", false}}));
}

TEST_F(presence_tracker_test, AwayTwiceIsAnnouncedOnceAtTheSecondDeadline) {
  constexpr auto grace = 50ms;
  auto& presence = make(grace);
  presence.connected(alice);
  announced_.clear();

  presence.disconnected(alice);
  presence.connected(alice);
  let_pass(grace / 2);  // the first deadline is still ahead, and now belongs to a past absence
  const auto left_again_at = clock::now();
  presence.disconnected(alice);

  EXPECT_TRUE(run_out());
  ASSERT_EQ(said_so_far(), (std::vector<said>{{"alice", false}}));
  EXPECT_GE(announced_[0].at - left_again_at, grace);
}

TEST_F(presence_tracker_test, OnlyTheUsersStillAwayAtTheirDeadlineAreAnnouncedInOrder) {
  auto& presence = make(20ms);
  for (const auto& user : {alice, bob, carol}) presence.connected(user);
  announced_.clear();

  presence.disconnected(alice);
  presence.disconnected(bob);
  presence.disconnected(carol);
  presence.connected(alice);  // the first deadline in the queue is stale: the others still count
  EXPECT_TRUE(run_out());
  EXPECT_EQ(said_so_far(), (std::vector<said>{{"bob", false}, {"carol", false}}));
  EXPECT_EQ(presence.online_names(), (std::vector<std::string>{"alice"}));
}

TEST_F(presence_tracker_test, AUserAnnouncedGoneIsAnnouncedAgainWhenBack) {
  auto& presence = make(20ms);
  presence.connected(alice);
  presence.disconnected(alice);
  EXPECT_TRUE(run_out());
  presence.connected(alice);
  EXPECT_EQ(said_so_far(), (std::vector<said>{{"alice", true}, {"alice", false}, {"alice", true}}));
}

TEST_F(presence_tracker_test, DisconnectOfAnUnknownOrAlreadyAwayUserIsHarmless) {
  auto& presence = make(20ms);
  presence.disconnected(bob);  // never connected
  EXPECT_FALSE(presence.is_online(bob.id));
  presence.connected(alice);
  announced_.clear();
  presence.disconnected(alice);
  presence.disconnected(alice);  // twice: the grace is not restarted, nor doubled
  EXPECT_TRUE(run_out());
  EXPECT_EQ(said_so_far(), (std::vector<said>{{"alice", false}}));
}

TEST_F(presence_tracker_test, AssumedOnlineUsersAreOnlineUntilTheirGraceEnds) {
  constexpr auto grace = 30ms;
  auto& presence = make(grace);
  const auto restarted_at = clock::now();
  presence.assume_online({carol, bob});
  EXPECT_TRUE(announced_.empty());  // they were announced by the previous run
  EXPECT_EQ(presence.online_names(), (std::vector<std::string>{"bob", "carol"}));
  EXPECT_EQ(presence.online_count(), 2u);
  EXPECT_TRUE(presence.is_online(bob.id));

  presence.connected(bob);  // back within the grace: never gone, so no join either
  EXPECT_TRUE(announced_.empty());

  EXPECT_TRUE(run_out());
  ASSERT_EQ(said_so_far(), (std::vector<said>{{"carol", false}}));
  EXPECT_GE(announced_[0].at - restarted_at, grace);
  EXPECT_EQ(presence.online_names(), (std::vector<std::string>{"bob"}));
}

TEST_F(presence_tracker_test, AssumingOnlineAUserAlreadyConnectedChangesNothing) {
  auto& presence = make(20ms);
  presence.connected(alice);
  announced_.clear();
  presence.assume_online({alice});
  EXPECT_TRUE(run_out());
  EXPECT_TRUE(announced_.empty());
  EXPECT_TRUE(presence.is_online(alice.id));
}

TEST_F(presence_tracker_test, StopAnnouncesNothingEvenAfterTheGrace) {
  constexpr auto grace = 20ms;
  auto& presence = make(grace);
  presence.connected(alice);
  presence.connected(bob);
  presence.disconnected(alice);
  presence.assume_online({carol});
  announced_.clear();

  presence.stop();
  let_pass(grace * 2);
  EXPECT_TRUE(announced_.empty());
  presence.connected({4, "dave"});
  presence.disconnected(bob);
  EXPECT_TRUE(run_out());
  EXPECT_TRUE(announced_.empty());
  // Who was online is still known: the server saves it for the next run.
  EXPECT_EQ(presence.online_users(), (std::vector<present_user>{alice, bob, carol}));
}

TEST_F(presence_tracker_test, StopLeavesNoTimerKeepingTheLoopAlive) {
  auto& presence = make(std::chrono::hours(1));
  presence.connected(alice);
  presence.disconnected(alice);
  presence.assume_online({bob});
  presence.stop();
  EXPECT_TRUE(run_out());  // an hour-long grace would otherwise keep run() going
  EXPECT_EQ(said_so_far(), (std::vector<said>{{"alice", true}}));
}

TEST_F(presence_tracker_test, ZeroGraceAnnouncesFromTheLoopNeverInsideDisconnected) {
  auto& presence = make(0ms);
  presence.connected(alice);
  announced_.clear();

  presence.disconnected(alice);
  EXPECT_TRUE(announced_.empty());
  EXPECT_TRUE(presence.is_online(alice.id));
  EXPECT_TRUE(run_out());
  EXPECT_EQ(said_so_far(), (std::vector<said>{{"alice", false}}));

  // Back within the same turn of the loop: nothing at all, even without a grace period.
  presence.connected(bob);
  announced_.clear();
  presence.disconnected(bob);
  presence.connected(bob);
  EXPECT_TRUE(run_out());
  EXPECT_TRUE(announced_.empty());
}

TEST_F(presence_tracker_test, OnlineNamesAreSortedByNameNotById) {
  auto& presence = make(20ms);
  presence.connected({3, "zoe"});
  presence.connected({1, "mallory"});
  presence.connected({2, "adam"});
  presence.assume_online({{4, "bob"}});
  EXPECT_EQ(presence.online_names(), (std::vector<std::string>{"adam", "bob", "mallory", "zoe"}));
  presence.stop();
}

}  // namespace
}  // namespace chatterbox
