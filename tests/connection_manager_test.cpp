#include "chatterbox/chat/connection_manager.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chatterbox {
namespace {

// Records what the manager did to it.
class fake_peer : public chat_peer {
 public:
  fake_peer(std::int64_t user_id, std::string username, std::string token = "token")
      : identity_{user_id, std::move(username), std::move(token)} {}

  const peer_identity& identity() const override { return identity_; }
  void deliver(const frame_ptr& frame) override { delivered.push_back(frame); }
  void close(std::uint16_t code, std::string_view reason) override {
    closes.emplace_back(code, std::string(reason));
  }

  std::vector<frame_ptr> delivered;
  std::vector<std::pair<std::uint16_t, std::string>> closes;

 private:
  peer_identity identity_;
};

frame_ptr text_frame(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

TEST(connection_manager_test, FirstConnectionOfAUserIsReported) {
  connection_manager connections;
  fake_peer alice(1, "alice");
  fake_peer bob(2, "bob");
  EXPECT_TRUE(connections.add(alice));
  EXPECT_TRUE(connections.add(bob));
  EXPECT_EQ(connections.connection_count(), 2u);
}

TEST(connection_manager_test, TwoTabsOfOneUserAreOneOnlineUser) {
  connection_manager connections;
  fake_peer tab1(1, "alice");
  fake_peer tab2(1, "alice");
  EXPECT_TRUE(connections.add(tab1));
  EXPECT_FALSE(connections.add(tab2));  // already online
  EXPECT_EQ(connections.connection_count(), 2u);
  EXPECT_EQ(connections.online_users(), std::vector<std::string>{"alice"});

  EXPECT_FALSE(connections.remove(tab1));  // still online in tab2
  EXPECT_EQ(connections.online_users(), std::vector<std::string>{"alice"});
  EXPECT_TRUE(connections.remove(tab2));  // last connection: went offline
  EXPECT_TRUE(connections.online_users().empty());
  EXPECT_EQ(connections.connection_count(), 0u);
}

TEST(connection_manager_test, UserComesOnlineAgainAfterGoingOffline) {
  connection_manager connections;
  fake_peer first(1, "alice");
  fake_peer second(1, "alice");
  ASSERT_TRUE(connections.add(first));
  ASSERT_TRUE(connections.remove(first));
  EXPECT_TRUE(connections.add(second));
}

TEST(connection_manager_test, RemovingAnUnknownPeerIsHarmless) {
  connection_manager connections;
  fake_peer alice(1, "alice");
  fake_peer other_tab(1, "alice");
  ASSERT_TRUE(connections.add(alice));
  EXPECT_FALSE(connections.remove(other_tab));  // never added
  EXPECT_EQ(connections.online_users(), std::vector<std::string>{"alice"});
  EXPECT_TRUE(connections.remove(alice));
  EXPECT_FALSE(connections.remove(alice));  // twice
  EXPECT_EQ(connections.connection_count(), 0u);
}

TEST(connection_manager_test, BroadcastReachesEveryConnectionWithTheSameBuffer) {
  connection_manager connections;
  fake_peer alice1(1, "alice");
  fake_peer alice2(1, "alice");
  fake_peer bob(2, "bob");
  for (auto* peer : {&alice1, &alice2, &bob}) connections.add(*peer);

  const auto frame = text_frame(R"({"type":"join","user":"carol"})");
  connections.broadcast(frame);
  for (auto* peer : {&alice1, &alice2, &bob}) {
    ASSERT_EQ(peer->delivered.size(), 1u);
    EXPECT_EQ(peer->delivered[0], frame);  // same buffer, not a copy
  }
}

TEST(connection_manager_test, BroadcastSkipsRemovedPeers) {
  connection_manager connections;
  fake_peer alice(1, "alice");
  fake_peer bob(2, "bob");
  connections.add(alice);
  connections.add(bob);
  connections.remove(alice);
  connections.broadcast(text_frame("x"));
  EXPECT_TRUE(alice.delivered.empty());
  EXPECT_EQ(bob.delivered.size(), 1u);
}

TEST(connection_manager_test, BroadcastExceptUserSkipsEveryTabOfThatUser) {
  connection_manager connections;
  fake_peer alice1(1, "alice");
  fake_peer bob(2, "bob");
  fake_peer alice2(1, "alice");
  fake_peer carol(3, "carol");
  for (auto* peer : {&alice1, &bob, &alice2, &carol}) connections.add(*peer);

  connections.broadcast_except_user(1, text_frame("typing"));
  EXPECT_TRUE(alice1.delivered.empty());
  EXPECT_TRUE(alice2.delivered.empty());
  EXPECT_EQ(bob.delivered.size(), 1u);
  EXPECT_EQ(carol.delivered.size(), 1u);
}

TEST(connection_manager_test, OnlineUsersAreSortedAndUnique) {
  connection_manager connections;
  fake_peer zed(5, "zed");
  fake_peer bob1(2, "bob");
  fake_peer alice(1, "alice");
  fake_peer bob2(2, "bob");
  fake_peer carol(3, "carol");
  for (auto* peer : {&zed, &bob1, &alice, &bob2, &carol}) connections.add(*peer);
  EXPECT_EQ(connections.online_users(), (std::vector<std::string>{"alice", "bob", "carol", "zed"}));

  connections.remove(bob1);
  connections.remove(zed);
  EXPECT_EQ(connections.online_users(), (std::vector<std::string>{"alice", "bob", "carol"}));
}

TEST(connection_manager_test, OnlineUsersSortByNameNotById) {
  connection_manager connections;
  fake_peer early(1, "zoe");
  fake_peer late(9, "adam");
  connections.add(early);
  connections.add(late);
  EXPECT_EQ(connections.online_users(), (std::vector<std::string>{"adam", "zoe"}));
}

TEST(connection_manager_test, CloseTokenClosesOnlyThatTokensPeers) {
  connection_manager connections;
  fake_peer laptop(1, "alice", "token-a");
  fake_peer laptop_tab(1, "alice", "token-a");
  fake_peer phone(1, "alice", "token-b");
  fake_peer bob(2, "bob", "token-c");
  for (auto* peer : {&laptop, &laptop_tab, &phone, &bob}) connections.add(*peer);

  connections.close_token("token-a", 4001, "logged out");
  using close_call = std::pair<std::uint16_t, std::string>;
  EXPECT_EQ(laptop.closes, std::vector<close_call>{close_call(4001, "logged out")});
  EXPECT_EQ(laptop_tab.closes, std::vector<close_call>{close_call(4001, "logged out")});
  EXPECT_TRUE(phone.closes.empty());
  EXPECT_TRUE(bob.closes.empty());
}

// A peer whose close completes synchronously, removing itself while the manager is looping.
class self_removing_peer : public fake_peer {
 public:
  self_removing_peer(connection_manager& connections, std::int64_t user_id, std::string name,
                     std::string token)
      : fake_peer(user_id, std::move(name), std::move(token)), connections_(connections) {}

  void close(std::uint16_t code, std::string_view reason) override {
    fake_peer::close(code, reason);
    connections_.remove(*this);
  }

 private:
  connection_manager& connections_;
};

TEST(connection_manager_test, ClosingPeersMayRemoveThemselvesDuringTheLoop) {
  connection_manager connections;
  self_removing_peer a(connections, 1, "alice", "t1");
  self_removing_peer b(connections, 1, "alice", "t1");
  self_removing_peer c(connections, 2, "bob", "t2");
  self_removing_peer d(connections, 2, "bob", "t1");
  for (auto* peer : {&a, &b, &c, &d}) connections.add(*peer);

  connections.close_token("t1", 4001, "logged out");
  EXPECT_EQ(a.closes.size(), 1u);
  EXPECT_EQ(b.closes.size(), 1u);
  EXPECT_EQ(d.closes.size(), 1u);
  EXPECT_TRUE(c.closes.empty());
  EXPECT_EQ(connections.connection_count(), 1u);
  EXPECT_EQ(connections.online_users(), std::vector<std::string>{"bob"});

  connections.close_all(1001, "shutting down");
  EXPECT_EQ(c.closes.size(), 1u);
  EXPECT_EQ(a.closes.size(), 1u);  // not closed twice
  EXPECT_EQ(connections.connection_count(), 0u);
}

TEST(connection_manager_test, CloseAllClosesEveryConnection) {
  connection_manager connections;
  fake_peer alice1(1, "alice", "a");
  fake_peer alice2(1, "alice", "b");
  fake_peer bob(2, "bob", "c");
  for (auto* peer : {&alice1, &alice2, &bob}) connections.add(*peer);

  connections.close_all(1001, "server shutting down");
  for (auto* peer : {&alice1, &alice2, &bob}) {
    ASSERT_EQ(peer->closes.size(), 1u);
    EXPECT_EQ(peer->closes[0].first, 1001);
    EXPECT_EQ(peer->closes[0].second, "server shutting down");
    EXPECT_TRUE(peer->delivered.empty());
  }
}

}  // namespace
}  // namespace chatterbox
