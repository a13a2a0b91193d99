#include "chatterbox/chat/presence_watch.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

namespace chatterbox {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

class recording_peer : public chat_peer {
 public:
  explicit recording_peer(std::int64_t id) : identity_{id, "u" + std::to_string(id), "t"} {}
  const peer_identity& identity() const override { return identity_; }
  void deliver(const frame_ptr& frame) override {
    frames.push_back(json::parse(*frame));
    if (on_deliver) on_deliver();
  }
  void close(std::uint16_t, std::string_view) override {}

  std::vector<json> take() { return std::exchange(frames, {}); }

  std::vector<json> frames;
  std::function<void()> on_deliver;

 private:
  peer_identity identity_;
};

json presence(std::vector<std::string> online, std::vector<std::string> offline) {
  return {{"type", "presence"}, {"online", std::move(online)}, {"offline", std::move(offline)}};
}

constexpr auto batch = 30ms;

class presence_watch_test : public ::testing::Test {
 protected:
  void set(std::int64_t user, bool online) {
    if (online) {
      online_.insert(user);
    } else {
      online_.erase(user);
    }
    watch.changed(user);
  }
  // Runs the loop for a while (batches included).
  void run_for(std::chrono::milliseconds duration) {
    io.restart();
    io.run_for(duration);
  }

  boost::asio::io_context io;
  std::set<std::int64_t> online_;
  presence_watch watch{io, batch, [this](std::int64_t user) { return online_.contains(user); }};
  recording_peer alice{1};
  recording_peer bob{2};
};

TEST_F(presence_watch_test, WatchAnswersAtOnceWithTheCurrentState) {
  online_ = {3};
  watch.watch(alice, {{3, "carol"}, {4, "dave"}, {0, "nobody"}});
  EXPECT_EQ(alice.take(), (std::vector<json>{presence({"carol"}, {"dave", "nobody"})}));
  EXPECT_EQ(watch.watchers_of(3), 1u);
  EXPECT_EQ(watch.watchers_of(4), 1u);
  EXPECT_EQ(watch.watchers_of(0), 0u);  // unknown names are never watched
}

TEST_F(presence_watch_test, ChangesOfAWatchedUserAreSentAfterTheBatch) {
  watch.watch(alice, {{3, "carol"}});
  alice.take();
  set(3, true);
  EXPECT_TRUE(alice.frames.empty());
  run_for(batch * 4);
  EXPECT_EQ(alice.take(), (std::vector<json>{presence({"carol"}, {})}));
  set(3, false);
  run_for(batch * 4);
  EXPECT_EQ(alice.take(), (std::vector<json>{presence({}, {"carol"})}));
}

TEST_F(presence_watch_test, ChangesWithinABatchAreOneFrameSorted) {
  online_ = {5};
  watch.watch(alice, {{5, "eve"}, {4, "dave"}, {3, "carol"}, {6, "frank"}});
  alice.take();
  set(4, true);
  set(3, true);
  set(5, false);
  set(6, true);
  run_for(batch * 4);
  EXPECT_EQ(alice.take(), (std::vector<json>{presence({"carol", "dave", "frank"}, {"eve"})}));
}

TEST_F(presence_watch_test, WentAndCameBackWithinTheBatchIsNotReported) {
  online_ = {3};
  watch.watch(alice, {{3, "carol"}, {4, "dave"}});
  alice.take();
  set(3, false);
  set(3, true);
  set(4, true);
  set(4, false);
  run_for(batch * 4);
  EXPECT_TRUE(alice.frames.empty());
  set(3, false);  // and a later change is still reported
  run_for(batch * 4);
  EXPECT_EQ(alice.take(), (std::vector<json>{presence({}, {"carol"})}));
}

TEST_F(presence_watch_test, OnlyWatchersHearOfAChange) {
  watch.watch(alice, {{3, "carol"}});
  watch.watch(bob, {{3, "carol"}, {4, "dave"}});
  alice.take();
  bob.take();
  EXPECT_EQ(watch.watchers_of(3), 2u);
  set(4, true);
  run_for(batch * 4);
  EXPECT_TRUE(alice.frames.empty());
  EXPECT_EQ(bob.take(), (std::vector<json>{presence({"dave"}, {})}));
  set(7, true);  // nobody watches 7: no frame, and no timer left behind
  io.restart();
  EXPECT_EQ(io.poll(), 0u);
}

TEST_F(presence_watch_test, AWatchReplacesTheListAndForgetEndsIt) {
  watch.watch(alice, {{3, "carol"}, {3, "carol"}});
  EXPECT_EQ(watch.watchers_of(3), 1u);  // once, however often named
  watch.watch(alice, {{4, "dave"}});
  EXPECT_EQ(watch.watchers_of(3), 0u);
  EXPECT_EQ(watch.watchers_of(4), 1u);
  alice.take();
  set(3, true);
  run_for(batch * 4);
  EXPECT_TRUE(alice.frames.empty());

  set(4, true);         // pending for alice...
  watch.forget(alice);  // ...who closes before the batch ends
  EXPECT_EQ(watch.watchers_of(4), 0u);
  run_for(batch * 4);
  EXPECT_TRUE(alice.frames.empty());
  watch.forget(alice);  // harmless
}

TEST_F(presence_watch_test, APeerForgottenWhileTheBatchIsDeliveredIsSkipped) {
  watch.watch(alice, {{3, "carol"}});
  watch.watch(bob, {{3, "carol"}});
  alice.take();
  bob.take();
  // Whichever is served first closes the other (as a slow peer's close can).
  alice.on_deliver = [&] { watch.forget(bob); };
  bob.on_deliver = [&] { watch.forget(alice); };
  set(3, true);
  run_for(batch * 4);
  EXPECT_EQ(alice.frames.size() + bob.frames.size(), 1u);
}

TEST_F(presence_watch_test, StopSendsNothingMoreAndLeavesNoTimer) {
  watch.watch(alice, {{3, "carol"}});
  alice.take();
  set(3, true);
  watch.stop();
  const auto started = std::chrono::steady_clock::now();
  run_for(2s);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  EXPECT_TRUE(alice.frames.empty());
  set(3, false);
  run_for(batch * 2);
  EXPECT_TRUE(alice.frames.empty());
}

}  // namespace
}  // namespace chatterbox
