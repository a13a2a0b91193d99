#include "chatterbox/chat/connection_manager.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
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

// --- peers that leave while the manager is walking them (issue 9) ---

// A peer that runs a script when a frame reaches it or when it is closed, as a WebSocket
// session does when the frame overflows its queue (it closes and removes itself at once).
class scripted_peer : public fake_peer {
 public:
  using fake_peer::fake_peer;

  void deliver(const frame_ptr& frame) override {
    fake_peer::deliver(frame);
    if (on_deliver) on_deliver(frame);
  }
  void close(std::uint16_t code, std::string_view reason) override {
    fake_peer::close(code, reason);
    if (on_close) on_close();
  }

  std::size_t received(const frame_ptr& frame) const {
    return static_cast<std::size_t>(std::count(delivered.begin(), delivered.end(), frame));
  }

  std::function<void(const frame_ptr&)> on_deliver;
  std::function<void()> on_close;
};

// `count` peers of distinct users ("u0".."u<count-1>"), all added.
std::vector<std::unique_ptr<scripted_peer>> add_peers(connection_manager& connections,
                                                      std::size_t count) {
  std::vector<std::unique_ptr<scripted_peer>> peers;
  for (std::size_t i = 0; i < count; ++i) {
    peers.push_back(
        std::make_unique<scripted_peer>(static_cast<std::int64_t>(i + 1), "u" + std::to_string(i)));
    connections.add(*peers.back());
  }
  return peers;
}

TEST(connection_manager_test, APeerRemovingItselfMidBroadcastCostsNoOneTheFrame) {
  // Wherever the leaving peer is: first, in the middle or last.
  for (std::size_t victim = 0; victim < 5; ++victim) {
    connection_manager connections;
    auto peers = add_peers(connections, 5);
    peers[victim]->on_deliver = [&, victim](const frame_ptr&) {
      EXPECT_TRUE(connections.remove(*peers[victim]));
      EXPECT_EQ(connections.connection_count(), 4u);  // already right inside the broadcast
      peers[victim]->on_deliver = nullptr;
    };

    const auto frame = text_frame("overflow");
    connections.broadcast(frame);
    for (std::size_t i = 0; i < peers.size(); ++i) {
      EXPECT_EQ(peers[i]->received(frame), 1u) << "victim " << victim << ", peer " << i;
    }
    EXPECT_EQ(connections.connection_count(), 4u);
    EXPECT_EQ(connections.online_count(), 4u);

    const auto next = text_frame("next");
    connections.broadcast(next);
    for (std::size_t i = 0; i < peers.size(); ++i) {
      EXPECT_EQ(peers[i]->received(next), i == victim ? 0u : 1u)
          << "victim " << victim << ", peer " << i;
    }
  }
}

TEST(connection_manager_test, EveryPeerRemovingItselfMidBroadcast) {
  connection_manager connections;
  auto peers = add_peers(connections, 6);
  for (auto& peer : peers) {
    peer->on_deliver = [&connections, p = peer.get()](const frame_ptr&) { connections.remove(*p); };
  }
  const auto frame = text_frame("everyone overflows");
  connections.broadcast(frame);
  for (const auto& peer : peers) EXPECT_EQ(peer->received(frame), 1u);
  EXPECT_EQ(connections.connection_count(), 0u);
  EXPECT_TRUE(connections.online_users().empty());

  // The manager is usable afterwards.
  scripted_peer late(99, "late");
  EXPECT_TRUE(connections.add(late));
  const auto next = text_frame("next");
  connections.broadcast(next);
  EXPECT_EQ(late.received(next), 1u);
  for (const auto& peer : peers) EXPECT_EQ(peer->received(next), 0u);
}

TEST(connection_manager_test, APeerRemovingOthersMidBroadcast) {
  connection_manager connections;
  auto peers = add_peers(connections, 5);
  // Peer 2 takes out one peer already served and one not yet reached.
  peers[2]->on_deliver = [&](const frame_ptr&) {
    connections.remove(*peers[0]);
    connections.remove(*peers[4]);
    peers[2]->on_deliver = nullptr;
  };
  const auto frame = text_frame("x");
  connections.broadcast_except_user(peers[1]->identity().user_id, frame);
  EXPECT_EQ(peers[0]->received(frame), 1u);  // before it left
  EXPECT_EQ(peers[1]->received(frame), 0u);  // excepted
  EXPECT_EQ(peers[2]->received(frame), 1u);
  EXPECT_EQ(peers[3]->received(frame), 1u);
  EXPECT_EQ(peers[4]->received(frame), 0u);  // gone before its turn: never touched again
  EXPECT_EQ(connections.connection_count(), 3u);
  EXPECT_EQ(connections.online_users(), (std::vector<std::string>{"u1", "u2", "u3"}));
}

TEST(connection_manager_test, ABroadcastNestedInDeliverReachesEveryoneOnce) {
  connection_manager connections;
  auto peers = add_peers(connections, 5);
  const auto outer = text_frame("outer");
  const auto inner = text_frame("inner");
  // Receiving the outer frame makes peer 1 broadcast (a change announced from a callback);
  // receiving the inner one makes peer 3 leave, while the outer broadcast has yet to reach it.
  peers[1]->on_deliver = [&](const frame_ptr& frame) {
    if (frame == outer) connections.broadcast(inner);
  };
  peers[3]->on_deliver = [&](const frame_ptr& frame) {
    if (frame == inner) connections.remove(*peers[3]);
  };
  connections.broadcast(outer);

  for (std::size_t i = 0; i < peers.size(); ++i) {
    EXPECT_EQ(peers[i]->received(inner), 1u) << i;
    EXPECT_EQ(peers[i]->received(outer), i == 3 ? 0u : 1u) << i;
  }
  EXPECT_EQ(connections.connection_count(), 4u);

  const auto after = text_frame("after");
  connections.broadcast(after);
  for (std::size_t i = 0; i < peers.size(); ++i) {
    EXPECT_EQ(peers[i]->received(after), i == 3 ? 0u : 1u) << i;
  }
}

TEST(connection_manager_test, APeerAddedMidBroadcastGetsOnlyLaterFrames) {
  connection_manager connections;
  auto peers = add_peers(connections, 3);
  scripted_peer newcomer(50, "newcomer");
  const auto frame = text_frame("before the newcomer");
  peers[0]->on_deliver = [&](const frame_ptr&) {
    connections.add(newcomer);
    peers[0]->on_deliver = nullptr;
  };
  connections.broadcast(frame);
  for (const auto& peer : peers) EXPECT_EQ(peer->received(frame), 1u);
  EXPECT_EQ(newcomer.received(frame), 0u);
  EXPECT_EQ(connections.connection_count(), 4u);

  const auto next = text_frame("next");
  connections.broadcast(next);
  EXPECT_EQ(newcomer.received(next), 1u);
  for (const auto& peer : peers) EXPECT_EQ(peer->received(next), 1u);
}

TEST(connection_manager_test, CloseAllWhenClosingPeersRemoveThemselvesAndOthers) {
  connection_manager connections;
  auto peers = add_peers(connections, 5);
  for (auto& peer : peers) {
    peer->on_close = [&connections, p = peer.get()] { connections.remove(*p); };
  }
  // Closing peer 1 also ends peer 3 (not yet closed by the loop), as a logout would.
  peers[1]->on_close = [&] {
    connections.remove(*peers[1]);
    connections.remove(*peers[3]);
  };
  connections.close_all(1001, "shutting down");
  for (std::size_t i = 0; i < peers.size(); ++i) {
    EXPECT_EQ(peers[i]->closes.size(), i == 3 ? 0u : 1u) << i;
  }
  EXPECT_EQ(connections.connection_count(), 0u);
  EXPECT_EQ(connections.online_count(), 0u);
}

TEST(connection_manager_test, CloseTokenWhoseClosesBroadcast) {
  connection_manager connections;
  auto peers = add_peers(connections, 4);
  const auto gone = text_frame("gone");
  // A closing peer removes itself and tells the others, inside the close_token loop.
  for (const std::size_t i : {std::size_t{0}, std::size_t{2}}) {
    peers[i]->on_close = [&connections, &gone, p = peers[i].get()] {
      connections.remove(*p);
      connections.broadcast(gone);
    };
  }
  connections.close_token("token", 4001, "logged out");  // every fake has token "token"
  for (const auto& peer : peers) EXPECT_EQ(peer->closes.size(), 1u);
  // Peers 1 and 3 stay: each of the two departures reached them once; peer 2 heard of peer 0.
  EXPECT_EQ(peers[0]->received(gone), 0u);
  EXPECT_EQ(peers[1]->received(gone), 2u);
  EXPECT_EQ(peers[2]->received(gone), 1u);
  EXPECT_EQ(peers[3]->received(gone), 2u);
  EXPECT_EQ(connections.connection_count(), 2u);
  EXPECT_EQ(connections.connections_of(peers[0]->identity().user_id), 0u);
}

// --- delivering to some users (protocol 2: the members of a room) ---

TEST(connection_manager_test, DeliverToUsersReachesEveryTabOfThoseUsersOnly) {
  connection_manager connections;
  fake_peer alice1(1, "alice");
  fake_peer alice2(1, "alice");
  fake_peer bob(2, "bob");
  fake_peer carol(3, "carol");
  for (auto* peer : {&alice1, &alice2, &bob, &carol}) connections.add(*peer);

  const auto frame = text_frame("members only");
  connections.deliver_to_users({1, 3, 42}, frame);  // 42: a member who is not connected
  EXPECT_EQ(alice1.delivered, std::vector<frame_ptr>{frame});
  EXPECT_EQ(alice2.delivered, std::vector<frame_ptr>{frame});
  EXPECT_EQ(carol.delivered, std::vector<frame_ptr>{frame});
  EXPECT_TRUE(bob.delivered.empty());
  EXPECT_EQ(alice1.delivered[0].get(), carol.delivered[0].get());  // one buffer, shared
}

TEST(connection_manager_test, DeliverToUsersSkipsTheExceptedUsersEveryTab) {
  connection_manager connections;
  fake_peer alice1(1, "alice");
  fake_peer alice2(1, "alice");
  fake_peer bob(2, "bob");
  for (auto* peer : {&alice1, &alice2, &bob}) connections.add(*peer);
  const auto frame = text_frame("typing");
  connections.deliver_to_users({1, 2}, frame, 1);
  EXPECT_TRUE(alice1.delivered.empty());
  EXPECT_TRUE(alice2.delivered.empty());
  EXPECT_EQ(bob.delivered, std::vector<frame_ptr>{frame});
  connections.deliver_to_users({}, frame);
  EXPECT_EQ(bob.delivered.size(), 1u);
}

TEST(connection_manager_test, DeliverToUserReachesEveryTabOfOneUser) {
  connection_manager connections;
  fake_peer alice1(1, "alice");
  fake_peer alice2(1, "alice");
  fake_peer bob(2, "bob");
  for (auto* peer : {&alice1, &alice2, &bob}) connections.add(*peer);
  const auto frame = text_frame("read");
  connections.deliver_to_user(1, frame);
  EXPECT_EQ(alice1.delivered, std::vector<frame_ptr>{frame});
  EXPECT_EQ(alice2.delivered, std::vector<frame_ptr>{frame});
  EXPECT_TRUE(bob.delivered.empty());
  connections.deliver_to_user(7, frame);  // nobody: harmless
}

TEST(connection_manager_test, DeliverToUsersSkipsRemovedTabs) {
  connection_manager connections;
  fake_peer alice1(1, "alice");
  fake_peer alice2(1, "alice");
  connections.add(alice1);
  connections.add(alice2);
  connections.remove(alice1);
  const auto frame = text_frame("x");
  connections.deliver_to_users({1}, frame);
  EXPECT_TRUE(alice1.delivered.empty());
  EXPECT_EQ(alice2.delivered.size(), 1u);
  connections.remove(alice2);
  connections.deliver_to_users({1}, frame);
  EXPECT_EQ(alice2.delivered.size(), 1u);
  EXPECT_FALSE(connections.is_online(1));
}

// Three users with two tabs each: tabs[2 * u] and tabs[2 * u + 1] belong to user u + 1.
std::vector<std::unique_ptr<scripted_peer>> add_tabs(connection_manager& connections) {
  std::vector<std::unique_ptr<scripted_peer>> tabs;
  for (std::int64_t user = 1; user <= 3; ++user) {
    for (int tab = 0; tab < 2; ++tab) {
      tabs.push_back(std::make_unique<scripted_peer>(user, "u" + std::to_string(user)));
      connections.add(*tabs.back());
    }
  }
  return tabs;
}

TEST(connection_manager_test, ATabRemovingItselfMidDeliveryCostsNoOneTheFrame) {
  for (std::size_t victim = 0; victim < 6; ++victim) {
    connection_manager connections;
    auto tabs = add_tabs(connections);
    tabs[victim]->on_deliver = [&, victim](const frame_ptr&) {
      EXPECT_FALSE(connections.remove(*tabs[victim]));  // the user's other tab stays
      EXPECT_EQ(connections.connection_count(), 5u);
      tabs[victim]->on_deliver = nullptr;
    };
    const auto frame = text_frame("overflow");
    connections.deliver_to_users({1, 2, 3}, frame);
    for (std::size_t i = 0; i < tabs.size(); ++i) {
      EXPECT_EQ(tabs[i]->received(frame), 1u) << "victim " << victim << ", tab " << i;
    }
    const auto next = text_frame("next");
    connections.deliver_to_users({1, 2, 3}, next);
    for (std::size_t i = 0; i < tabs.size(); ++i) {
      EXPECT_EQ(tabs[i]->received(next), i == victim ? 0u : 1u) << "victim " << victim;
    }
    EXPECT_EQ(connections.online_count(), 3u);
  }
}

TEST(connection_manager_test, AUsersLastTabsRemovedMidDeliveryGoOffline) {
  connection_manager connections;
  auto tabs = add_tabs(connections);
  // A tab of user 1 ends both tabs of user 3 (not yet reached) and one of user 1 (already).
  tabs[1]->on_deliver = [&](const frame_ptr&) {
    EXPECT_FALSE(connections.remove(*tabs[0]));
    EXPECT_FALSE(connections.remove(*tabs[4]));
    EXPECT_TRUE(connections.remove(*tabs[5]));
    EXPECT_FALSE(connections.is_online(3));
    EXPECT_EQ(connections.online_users(), (std::vector<std::string>{"u1", "u2"}));
    EXPECT_EQ(connections.online_count(), 2u);
    tabs[1]->on_deliver = nullptr;
  };
  const auto frame = text_frame("x");
  connections.deliver_to_users({1, 2, 3}, frame);
  EXPECT_EQ(tabs[0]->received(frame), 1u);
  EXPECT_EQ(tabs[1]->received(frame), 1u);
  EXPECT_EQ(tabs[2]->received(frame), 1u);
  EXPECT_EQ(tabs[3]->received(frame), 1u);
  EXPECT_EQ(tabs[4]->received(frame), 0u);
  EXPECT_EQ(tabs[5]->received(frame), 0u);
  EXPECT_EQ(connections.connection_count(), 3u);
  EXPECT_EQ(connections.connections_of(3), 0u);
  EXPECT_EQ(connections.connections_of(1), 1u);

  // User 3 comes back: a first connection again, and reached again.
  scripted_peer back(3, "u3");
  EXPECT_TRUE(connections.add(back));
  const auto next = text_frame("next");
  connections.deliver_to_users({3}, next);
  EXPECT_EQ(back.received(next), 1u);
  EXPECT_EQ(tabs[4]->received(next), 0u);
  EXPECT_EQ(connections.online_count(), 3u);
}

TEST(connection_manager_test, EveryTabRemovingItselfMidDelivery) {
  connection_manager connections;
  auto tabs = add_tabs(connections);
  for (auto& tab : tabs) {
    tab->on_deliver = [&connections, p = tab.get()](const frame_ptr&) { connections.remove(*p); };
  }
  const auto frame = text_frame("everyone overflows");
  connections.deliver_to_users({3, 1, 2}, frame);
  for (const auto& tab : tabs) EXPECT_EQ(tab->received(frame), 1u);
  EXPECT_EQ(connections.connection_count(), 0u);
  EXPECT_EQ(connections.online_count(), 0u);
  EXPECT_TRUE(connections.online_users().empty());
  scripted_peer late(1, "u1");
  EXPECT_TRUE(connections.add(late));
  connections.deliver_to_user(1, frame);
  EXPECT_EQ(late.received(frame), 1u);
}

// Unlike broadcast, deliver_to_users looks at a user's tabs when it reaches that user, so a tab
// added meanwhile to a user not yet reached gets the frame too (chat_peer forbids re-entering the
// manager from deliver, so the server never does this; what matters is that nobody gets it twice
// and every tab gets later frames).
TEST(connection_manager_test, ATabAddedMidDeliveryGetsEveryFrameAtMostOnce) {
  connection_manager connections;
  auto tabs = add_tabs(connections);
  scripted_peer third_tab(2, "u2");
  scripted_peer late_tab(1, "u1");
  scripted_peer newcomer(9, "u9");
  tabs[0]->on_deliver = [&](const frame_ptr&) {
    EXPECT_FALSE(connections.add(third_tab));  // user 2, not yet reached
    EXPECT_FALSE(connections.add(late_tab));   // user 1, being served
    EXPECT_TRUE(connections.add(newcomer));
    tabs[0]->on_deliver = nullptr;
  };
  const auto frame = text_frame("before");
  connections.deliver_to_users({1, 2, 9}, frame);
  for (const auto& tab : tabs) {
    EXPECT_EQ(tab->received(frame), tab->identity().user_id == 3 ? 0u : 1u);
  }
  EXPECT_EQ(late_tab.received(frame), 0u);  // its user's tabs were counted before it came
  EXPECT_LE(third_tab.received(frame), 1u);
  EXPECT_LE(newcomer.received(frame), 1u);
  const auto next = text_frame("next");
  connections.deliver_to_users({1, 2, 9}, next);
  EXPECT_EQ(third_tab.received(next), 1u);
  EXPECT_EQ(late_tab.received(next), 1u);
  EXPECT_EQ(newcomer.received(next), 1u);
  EXPECT_EQ(connections.connection_count(), 9u);
}

TEST(connection_manager_test, ABroadcastNestedInADeliveryAndBack) {
  connection_manager connections;
  auto tabs = add_tabs(connections);
  const auto outer = text_frame("outer");
  const auto inner = text_frame("inner");
  // User 1's first tab broadcasts on the room frame; the broadcast makes user 2's second tab
  // leave before the room delivery reaches it.
  tabs[0]->on_deliver = [&](const frame_ptr& frame) {
    if (frame == outer) connections.broadcast(inner);
  };
  tabs[3]->on_deliver = [&](const frame_ptr& frame) {
    if (frame == inner) connections.remove(*tabs[3]);
  };
  connections.deliver_to_users({1, 2}, outer);
  for (std::size_t i = 0; i < tabs.size(); ++i) {
    EXPECT_EQ(tabs[i]->received(inner), 1u) << i;
    EXPECT_EQ(tabs[i]->received(outer), i < 3 ? 1u : 0u) << i;
  }
  EXPECT_EQ(connections.connection_count(), 5u);
  EXPECT_EQ(connections.connections_of(2), 1u);
}

}  // namespace
}  // namespace chatterbox
