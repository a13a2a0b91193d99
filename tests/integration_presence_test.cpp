// Presence that does not flap: a user is reported gone only after a grace period, and a
// reconnect within it — a reload, a network blip, a server restart — reports nothing to those
// who watch them (issue 9, item 7). Presence is observed as a client does: by `watch`.
//
// "Nothing was reported" is proven without waiting for a timeout: another watched user (carol)
// changes afterwards, and presence changes are batched in the order they happen, so any report
// about bob from before comes in or before the frame that reports carol (presence_until).
#include "support/server_fixture.hpp"

#include <gtest/gtest.h>

#include <string>

namespace chatterbox::test_support {
namespace {

using presence_test = server_test;

TEST_F(presence_test, a_reconnect_within_the_grace_period_shows_nothing) {
  restart({"--presence-grace", "10"});
  auto alice = connect("alice");
  const auto bob_token = token_for(port(), "bob");
  const auto carol_token = token_for(port(), "carol");
  const auto watching = alice->watch({"bob", "carol"});
  EXPECT_EQ(watching["online"], json::array());
  EXPECT_EQ(watching["offline"], json::array({"bob", "carol"}));
  auto bob = ws_client::connect(port(), bob_token);
  const auto came = alice->expect("presence");
  EXPECT_EQ(came["online"], json::array({"bob"}));
  EXPECT_EQ(came["offline"], json::array());

  bob->close();
  bob = ws_client::connect(port(), bob_token);  // a reload
  EXPECT_EQ(bob->watch({"alice", "bob"})["online"], json::array({"alice", "bob"}));
  auto carol = ws_client::connect(port(), carol_token);
  for (const auto& change : alice->presence_until("carol", true)) {
    EXPECT_FALSE(reports(change, "bob")) << change;
  }
}

TEST_F(presence_test, a_user_away_longer_than_the_grace_period_is_announced_gone_once) {
  // Two seconds: carol's coming online (reported 250 ms after she connects) is surely reported
  // before bob's grace ends, even on a loaded machine.
  restart({"--presence-grace", "2"});
  auto alice = connect("alice");
  const auto carol_token = token_for(port(), "carol");
  auto bob = connect("bob");
  EXPECT_EQ(alice->watch({"bob", "carol"})["online"], json::array({"bob"}));
  const auto closed = std::chrono::steady_clock::now();
  bob->close();
  // Still online for someone connecting meanwhile, and not reported gone yet.
  auto carol = ws_client::connect(port(), carol_token);
  EXPECT_EQ(carol->watch({"alice", "bob", "carol"})["online"],
            json::array({"alice", "bob", "carol"}));
  for (const auto& change : alice->presence_until("carol", true)) {
    EXPECT_FALSE(reports(change, "bob")) << change;  // still within the grace period
  }
  const auto gone = alice->expect("presence", 10s);
  EXPECT_EQ(gone["offline"], json::array({"bob"}));
  EXPECT_GE(std::chrono::steady_clock::now() - closed, 1900ms);
  // Once: nothing more about bob by the time carol's leaving is reported.
  carol->close();
  for (const auto& change : alice->presence_until("carol", false)) {
    EXPECT_FALSE(reports(change, "bob")) << change;
  }
}

TEST_F(presence_test, a_server_restart_shows_nobody_leaving_or_joining) {
  restart({"--presence-grace", "10"});
  const auto alice_token = token_for(port(), "alice");
  const auto bob_token = token_for(port(), "bob");
  const auto carol_token = token_for(port(), "carol");
  {
    auto alice = ws_client::connect(port(), alice_token);
    auto bob = ws_client::connect(port(), bob_token);
    EXPECT_EQ(alice->watch({"bob"})["online"], json::array({"bob"}));
    // The server goes down with both connected (alice's page sees the close, not "bob left").
    ASSERT_EQ(server_->terminate(), 0) << server_->output();
    const auto events = alice->drain_until_closed();
    for (const auto& event : events) EXPECT_NE(event["type"], "presence") << event;
  }
  start({"--presence-grace", "10"});
  // Both pages reconnect, one after the other.
  auto alice = ws_client::connect(port(), alice_token);
  // Bob is expected back: online for alice before he reconnects.
  EXPECT_EQ(alice->watch({"bob", "carol"})["online"], json::array({"bob"}));
  auto bob = ws_client::connect(port(), bob_token);
  EXPECT_EQ(bob->watch({"alice", "carol"})["online"], json::array({"alice"}));
  auto carol = ws_client::connect(port(), carol_token);
  for (const auto& change : alice->presence_until("carol", true)) {
    EXPECT_FALSE(reports(change, "bob")) << change;
  }
  for (const auto& change : bob->presence_until("carol", true)) {
    EXPECT_FALSE(reports(change, "alice")) << change;
  }
}

}  // namespace
}  // namespace chatterbox::test_support
