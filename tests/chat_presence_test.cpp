// chat_service: presence by `watch` — each connection hears about the people it asked for, in
// batches, and nobody else.

#include "support/chat_fixture.hpp"

#include <chrono>

namespace chatterbox {
namespace {

using namespace std::chrono_literals;
using namespace test_support;

using chat_presence_test = chat_fixture;

json watch(std::vector<std::string> users) {
  return {{"type", "watch"}, {"users", std::move(users)}};
}

json presence(std::vector<std::string> online, std::vector<std::string> offline) {
  return {{"type", "presence"}, {"online", std::move(online)}, {"offline", std::move(offline)}};
}

TEST_F(chat_presence_test, WatchAnswersWhoIsOnlineNow) {
  const auto alice = connect(alice_);
  connect(bob_);
  alice->take();
  receive(alice, watch({"BOB", "carol", "nobody", "alice"}));
  // Names as registered; unknown names are offline.
  EXPECT_EQ(alice->take(), (std::vector<json>{presence({"bob", "alice"}, {"carol", "nobody"})}));
  receive(alice, watch({}));
  EXPECT_EQ(alice->take(), (std::vector<json>{presence({}, {})}));
}

TEST_F(chat_presence_test, ChangesGoToWatchersOnlyInOneFrameAfterTheBatch) {
  const auto alice = connect(alice_);
  const auto alice2 = connect(alice_);
  const auto dave = connect(dave_);
  receive(alice, watch({"bob", "carol"}));
  forget_frames();

  connect(carol_);
  connect(bob_);
  EXPECT_TRUE(alice->frames.empty());  // collected first
  run_until([&] { return !alice->frames.empty(); }, 2s);
  EXPECT_EQ(alice->take(), (std::vector<json>{presence({"bob", "carol"}, {})}));
  settle();
  EXPECT_TRUE(alice2->frames.empty());  // the other tab watches nobody
  EXPECT_TRUE(dave->frames.empty());
}

TEST_F(chat_presence_test, OnlineWithTheFirstTabOfflineAfterTheLastOne) {
  const auto alice = connect(alice_);
  receive(alice, watch({"bob"}));
  alice->take();
  auto bob1 = make_peer(bob_);
  auto bob2 = make_peer(bob_);
  service_->connect(bob1);
  service_->connect(bob2);
  run_until([&] { return !alice->frames.empty(); }, 2s);
  EXPECT_EQ(alice->take(), (std::vector<json>{presence({"bob"}, {})}));

  service_->disconnect(*bob1);
  run_until([] { return false; }, 100ms);
  EXPECT_TRUE(alice->frames.empty());  // still online in the other tab
  service_->disconnect(*bob2);
  EXPECT_TRUE(alice->frames.empty());  // announced from a timer, never inside the disconnect
  run_until([&] { return !alice->frames.empty(); }, 2s);
  EXPECT_EQ(alice->take(), (std::vector<json>{presence({}, {"bob"})}));

  service_->disconnect(*bob2);  // idempotent
  run_until([] { return false; }, 100ms);
  EXPECT_TRUE(alice->frames.empty());
}

TEST_F(chat_presence_test, WentAndCameBackWithinTheBatchIsNotReported) {
  auto limits = generous_limits();
  limits.presence_batch = 200ms;
  reconfigure(limits);
  const auto alice = connect(alice_);
  connect(carol_);
  receive(alice, watch({"bob", "carol"}));
  alice->take();

  auto bob = make_peer(bob_);
  service_->connect(bob);      // online...
  service_->disconnect(*bob);  // ...and gone again (no grace here)
  run_until([] { return false; }, 400ms);
  EXPECT_TRUE(alice->frames.empty());
}

TEST_F(chat_presence_test, AWatchReplacesThePreviousList) {
  const auto alice = connect(alice_);
  receive(alice, watch({"bob"}));
  receive(alice, watch({"carol"}));
  alice->take();
  connect(bob_);
  run_until([] { return false; }, 100ms);
  EXPECT_TRUE(alice->frames.empty());
  connect(carol_);
  run_until([&] { return !alice->frames.empty(); }, 2s);
  EXPECT_EQ(alice->take(), (std::vector<json>{presence({"carol"}, {})}));
}

TEST_F(chat_presence_test, AClosedConnectionIsForgotten) {
  auto alice = make_peer(alice_);
  service_->connect(alice);
  receive(alice, watch({"bob"}));
  service_->disconnect(*alice);
  std::weak_ptr<fake_peer> gone = alice;
  alice.reset();
  ASSERT_TRUE(gone.expired());
  connect(bob_);
  ASSERT_NO_THROW(run_until([] { return false; }, 100ms));  // nothing delivered to a gone peer
}

TEST_F(chat_presence_test, AWatchListOverFiveHundredIsRefused) {
  const auto alice = connect(alice_);
  alice->take();
  std::vector<std::string> many;
  for (int i = 0; i < 501; ++i) many.push_back("user" + std::to_string(i));
  receive(alice, watch(many));
  ASSERT_EQ(alice->types(), (types{"error"}));
  EXPECT_EQ(alice->frames[0].at("code"), "invalid_field");
  alice->take();
  many.pop_back();
  receive(alice, watch(many));
  ASSERT_EQ(alice->types(), (types{"presence"}));
  EXPECT_EQ(alice->frames[0].at("offline").size(), 500u);
}

}  // namespace
}  // namespace chatterbox
