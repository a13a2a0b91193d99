// Presence that does not flap: a user is announced gone only after a grace period, and a
// reconnect within it — a reload, a network blip, a server restart — shows no "left" and no
// "joined" (issue 9, item 7).
#include "support/server_fixture.hpp"

#include <gtest/gtest.h>

#include <string>

namespace chatterbox::test_support {
namespace {

using presence_test = server_test;

// The join/leave events among those that arrived so far.
std::vector<json> presence_changes(ws_client& client) {
  std::vector<json> changes;
  for (auto& event : client.drain()) {
    if (event["type"] == "join" || event["type"] == "leave") changes.push_back(event);
  }
  return changes;
}

TEST_F(presence_test, a_reconnect_within_the_grace_period_shows_nothing) {
  restart({"--presence-grace", "10"});
  auto alice = join("alice");
  const auto bob_token = token_for(port(), "bob");
  auto bob = ws_client::join(port(), bob_token);
  EXPECT_EQ(alice->expect("join")["user"], "bob");

  bob->close();
  bob = ws_client::join(port(), bob_token);  // a reload
  EXPECT_EQ(bob->presence["users"], json::array({"alice", "bob"}));
  EXPECT_TRUE(presence_changes(*alice).empty());
}

TEST_F(presence_test, a_user_away_longer_than_the_grace_period_is_announced_gone_once) {
  restart({"--presence-grace", "1"});
  auto alice = join("alice");
  auto bob = join("bob");
  alice->expect("join");
  const auto closed = std::chrono::steady_clock::now();
  bob->close();
  EXPECT_TRUE(presence_changes(*alice).empty());  // still within the grace period
  // Still listed as online for someone connecting meanwhile.
  auto carol = join("carol");
  EXPECT_EQ(carol->presence["users"], json::array({"alice", "bob", "carol"}));
  EXPECT_EQ(alice->expect("leave", 10s)["user"], "bob");
  EXPECT_GE(std::chrono::steady_clock::now() - closed, 900ms);
  for (const auto& change : presence_changes(*alice)) EXPECT_NE(change["user"], "bob") << change;
}

TEST_F(presence_test, a_server_restart_shows_nobody_leaving_or_joining) {
  restart({"--presence-grace", "10"});
  const auto alice_token = token_for(port(), "alice");
  const auto bob_token = token_for(port(), "bob");
  {
    auto alice = ws_client::join(port(), alice_token);
    auto bob = ws_client::join(port(), bob_token);
    alice->expect("join");
    // The server goes down with both connected (alice's page sees the close, not "bob left").
    ASSERT_EQ(server_->terminate(), 0) << server_->output();
    const auto events = alice->drain_until_closed();
    for (const auto& event : events) EXPECT_NE(event["type"], "leave") << event;
  }
  start({"--presence-grace", "10"});
  // Both pages reconnect, one after the other.
  auto alice = ws_client::join(port(), alice_token);
  EXPECT_EQ(alice->presence["users"], json::array({"alice", "bob"}));  // bob is expected back
  auto bob = ws_client::join(port(), bob_token);
  EXPECT_TRUE(presence_changes(*alice).empty());
  EXPECT_TRUE(presence_changes(*bob).empty());
}

}  // namespace
}  // namespace chatterbox::test_support
