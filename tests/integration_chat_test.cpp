// Chat behaviour of protocol v2 in the open room `general` (id 1), where every user is a member:
// what protocol v1 did in its single room (docs/protocol.md).
#include "support/server_fixture.hpp"

#include <gtest/gtest.h>

#include <set>

namespace chatterbox::test_support {
namespace {

using chat_test = server_test;

TEST_F(chat_test, connect_sends_only_a_hello_listing_the_general_room) {
  auto alice = connect("alice");
  EXPECT_EQ(alice->hello["user"], "alice");
  EXPECT_EQ(alice->hello["protocol"], 2);
  EXPECT_EQ(alice->hello["seq"], seqs_of_an_account());
  ASSERT_EQ(alice->hello["rooms"].size(), 1u) << alice->hello;
  const auto room = alice->hello_room(general);
  EXPECT_EQ(room["kind"], "open");
  EXPECT_EQ(room["name"], "general");
  EXPECT_EQ(room["archived"], false);
  EXPECT_EQ(room["creator"], nullptr);
  EXPECT_EQ(room["member_count"], 1);
  EXPECT_EQ(room["last_id"], 0);
  EXPECT_EQ(room["marker"], 0);
  EXPECT_EQ(room["unread"], 0);
  EXPECT_EQ(room["mentions"], 0);
  EXPECT_EQ(room["others_read"], 0);
  EXPECT_EQ(room["notify"], "mentions");
  // Nothing else comes unasked: the client asks for the history it shows.
  EXPECT_EQ(alice->drain(), std::vector<json>{});
  const auto history = alice->history(general);
  EXPECT_EQ(history["messages"], json::array());
  EXPECT_EQ(history["has_more"], false);
}

TEST_F(chat_test, message_reaches_both_users_after_ack) {
  auto alice = connect("alice");
  auto bob = connect("bob");

  const auto ack = alice->say(general, "a-1", "  hello bob  ");
  EXPECT_EQ(ack["client_id"], "a-1");
  EXPECT_EQ(ack["room"], general);
  EXPECT_GT(ack["id"].get<std::int64_t>(), 0);
  EXPECT_TRUE(ack["ts"].is_number_integer());

  const auto at_alice = alice->expect("message");
  const auto at_bob = bob->expect("message");
  EXPECT_EQ(at_alice, at_bob);
  EXPECT_EQ(at_bob["text"], "hello bob");  // trimmed
  EXPECT_EQ(at_bob["room"], general);
  EXPECT_EQ(at_bob["user"], "alice");
  EXPECT_EQ(at_bob["id"], ack["id"]);
  EXPECT_EQ(at_bob["ts"], ack["ts"]);
  EXPECT_EQ(at_bob["edited"], false);
  EXPECT_EQ(at_bob["deleted"], false);
  EXPECT_FALSE(at_bob.contains("mentions"));  // omitted when empty

  bob->say(general, "b-1", "hi alice");
  const auto reply = alice->expect("message");
  EXPECT_EQ(reply["user"], "bob");
  EXPECT_EQ(reply["text"], "hi alice");
  EXPECT_GT(reply["seq"].get<std::int64_t>(), at_bob["seq"].get<std::int64_t>());
}

TEST_F(chat_test, author_edits_and_deletes_reach_everyone_and_persist) {
  auto alice = connect("alice");
  auto bob = connect("bob");
  const auto id = alice->say(general, "a-1", "frist").value("id", 0);

  alice->send({{"type", "edit"}, {"id", id}, {"text", "first"}});
  for (auto* client : {alice.get(), bob.get()}) {
    const auto edited = client->expect("edited");
    EXPECT_EQ(edited["id"], id);
    EXPECT_EQ(edited["room"], general);
    EXPECT_EQ(edited["text"], "first");
  }
  alice->send({{"type", "delete"}, {"id", id}});
  for (auto* client : {alice.get(), bob.get()}) {
    const auto deleted = client->expect("deleted");
    EXPECT_EQ(deleted["id"], id);
    EXPECT_EQ(deleted["room"], general);
  }

  auto carol = connect("carol");
  const auto stored = carol->history(general)["messages"].at(0);
  EXPECT_EQ(stored["id"], id);
  EXPECT_EQ(stored["deleted"], true);
  EXPECT_EQ(stored["edited"], true);
  EXPECT_EQ(stored["text"], "");
}

TEST_F(chat_test, another_users_edit_or_delete_is_forbidden_and_changes_nothing) {
  auto alice = connect("alice");
  auto bob = connect("bob");
  const auto id = alice->say(general, "a-1", "mine").value("id", 0);
  bob->expect("message");

  bob->send({{"type", "edit"}, {"id", id}, {"text", "yours now"}});
  auto error = bob->expect("error");
  EXPECT_EQ(error["code"], "forbidden");
  EXPECT_EQ(error["ref"], id);
  bob->send({{"type", "delete"}, {"id", id}});
  EXPECT_EQ(bob->expect("error")["code"], "forbidden");

  for (const auto& event : alice->drain()) {
    EXPECT_NE(event["type"], "edited");
    EXPECT_NE(event["type"], "deleted");
  }
  auto carol = connect("carol");
  const auto stored = carol->history(general)["messages"].at(0);
  EXPECT_EQ(stored["text"], "mine");
  EXPECT_EQ(stored["edited"], false);
}

TEST_F(chat_test, typing_reaches_others_not_the_sender_and_clears_on_send) {
  auto alice = connect("alice");
  auto bob = connect("bob");
  alice->send({{"type", "typing"}, {"room", general}, {"active", true}});
  auto typing = bob->expect("typing");
  EXPECT_EQ(typing["user"], "alice");
  EXPECT_EQ(typing["room"], general);
  EXPECT_EQ(typing["active"], true);
  for (const auto& event : alice->drain()) EXPECT_NE(event["type"], "typing");

  alice->say(general, "a-1", "done typing");
  typing = bob->expect("typing");
  EXPECT_EQ(typing["user"], "alice");
  EXPECT_EQ(typing["room"], general);
  EXPECT_EQ(typing["active"], false);
}

TEST_F(chat_test, typing_clears_on_disconnect) {
  auto alice = connect("alice");
  auto bob = connect("bob");
  EXPECT_EQ(alice->watch({"bob"})["online"], json::array({"bob"}));
  bob->send({{"type", "typing"}, {"room", general}, {"active", true}});
  EXPECT_EQ(alice->expect("typing")["active"], true);
  bob->close();
  const auto typing = alice->expect("typing");
  EXPECT_EQ(typing["user"], "bob");
  EXPECT_EQ(typing["room"], general);
  EXPECT_EQ(typing["active"], false);
  // Then (no presence grace in these tests) bob is gone.
  const auto gone = alice->expect("presence");
  EXPECT_EQ(gone["offline"], json::array({"bob"}));
  EXPECT_EQ(gone["online"], json::array());
}

TEST_F(chat_test, seen_moves_the_marker_forward_only) {
  auto alice = connect("alice");
  auto bob = connect("bob");
  const auto first = alice->say(general, "a-1", "one").value("id", 0);
  const auto second = alice->say(general, "a-2", "two").value("id", 0);

  bob->send({{"type", "seen"}, {"room", general}, {"id", second}});
  // Bob's connections get his unread state, the room the receipt.
  const auto read = bob->expect("read");
  EXPECT_EQ(read["room"], general);
  EXPECT_EQ(read["id"], second);
  EXPECT_EQ(read["unread"], 0);
  EXPECT_EQ(read["mentions"], 0);
  auto receipt = alice->expect("receipt");
  EXPECT_EQ(receipt["room"], general);
  EXPECT_EQ(receipt["user"], "bob");
  EXPECT_EQ(receipt["id"], second);

  bob->send({{"type", "seen"}, {"room", general}, {"id", first}});  // backwards: ignored
  for (const auto& event : bob->drain()) {
    EXPECT_NE(event["type"], "error") << event;
    EXPECT_NE(event["type"], "read") << event;
  }
  for (const auto& event : alice->drain()) EXPECT_NE(event["type"], "receipt") << event;

  // Stored: a new connection is told how far others have read, and bob where he stopped.
  auto carol = connect("carol");
  EXPECT_EQ(carol->hello_room(general)["others_read"], second);
  auto bob_again = connect("bob");
  EXPECT_EQ(bob_again->hello_room(general)["marker"], second);
  EXPECT_EQ(bob_again->hello_room(general)["unread"], 0);

  bob->send({{"type", "seen"}, {"room", general}, {"id", 999999}});
  const auto error = bob->expect("error");
  EXPECT_EQ(error["code"], "not_found");
  EXPECT_EQ(error["ref"], 999999);
}

TEST_F(chat_test, two_tabs_are_one_online_user) {
  auto alice = connect("alice");
  const auto bob_token = token_for(port(), "bob");
  const auto carol_token = token_for(port(), "carol");
  // Carol comes and goes after the moments of interest: her presence changes are batched
  // after any change of bob's from before them (see presence_until).
  alice->watch({"bob", "carol"});
  auto bob_tab1 = ws_client::connect(port(), bob_token);
  EXPECT_EQ(alice->expect("presence")["online"], json::array({"bob"}));
  auto bob_tab2 = ws_client::connect(port(), bob_token);
  EXPECT_EQ(bob_tab2->watch({"alice", "bob"})["online"], json::array({"alice", "bob"}));

  bob_tab1->close();  // the server has let go of the tab when its close is answered
  auto carol = ws_client::connect(port(), carol_token);
  for (const auto& change : alice->presence_until("carol", true)) {
    EXPECT_FALSE(reports(change, "bob")) << change;
  }
  bob_tab2->close();
  const auto gone = alice->expect("presence");
  EXPECT_EQ(gone["offline"], json::array({"bob"}));
  carol->close();
  for (const auto& change : alice->presence_until("carol", false)) {
    EXPECT_FALSE(reports(change, "bob")) << change;  // announced once
  }
}

TEST_F(chat_test, sync_returns_exactly_the_missed_changes) {
  auto alice = connect("alice");
  alice->say(general, "a-0", "before the gap");
  auto bob = connect("bob");
  const auto since = bob->hello["seq"].get<std::int64_t>();
  bob->close();

  const auto created = alice->say(general, "a-1", "while bob was away").value("id", 0);
  const auto edited = alice->say(general, "a-2", "typo").value("id", 0);
  alice->send({{"type", "edit"}, {"id", edited}, {"text", "fixed"}});
  alice->expect("edited");
  alice->send({{"type", "delete"}, {"id", created}});
  alice->expect("deleted");

  bob = connect("bob");
  const auto sync = bob->sync(since);
  EXPECT_EQ(sync["has_more"], false);
  EXPECT_EQ(sync["seq"], bob->hello["seq"]);
  EXPECT_EQ(sync["rooms"], json::array());  // no room changed meanwhile
  EXPECT_EQ(sync["removed"], json::array());
  std::map<std::int64_t, json> by_id;
  for (const auto& m : sync["messages"]) by_id[m["id"].get<std::int64_t>()] = m;
  ASSERT_EQ(sync["messages"].size(), 2u) << sync.dump();
  EXPECT_EQ(by_id[created]["deleted"], true);
  EXPECT_EQ(by_id[edited]["text"], "fixed");
  EXPECT_EQ(by_id[edited]["edited"], true);
  EXPECT_EQ(by_id[edited]["room"], general);
}

// The support client's proof that nothing of a room arrived (room_events_until_synced, for the
// membership invariant) must see what does arrive: live, and in the sync it ends with.
TEST_F(chat_test, the_events_of_a_room_are_seen_live_and_on_catch_up) {
  auto alice = connect("alice");
  auto bob = connect("bob");
  const auto since = bob->hello["seq"].get<std::int64_t>();
  const auto id = alice->say(general, "a-1", "hi").value("id", 0);
  const auto seen = bob->room_events_until_synced(general, since);
  ASSERT_EQ(seen.size(), 2u) << json(seen);
  EXPECT_EQ(seen[0]["type"], "message");
  EXPECT_EQ(seen[0]["id"], id);
  EXPECT_EQ(seen[1]["type"], "sync");
  EXPECT_EQ(seen[1]["messages"].size(), 1u);
  EXPECT_EQ(bob->room_events_until_synced(2, since), std::vector<json>{});  // no such room
}

// The support client's room helpers, which the rooms tests build on, answer with the room.
TEST_F(chat_test, the_support_clients_room_helpers_return_the_room) {
  auto alice = connect("alice");
  auto bob = connect("bob");
  const auto team = alice->create_room("private", "team", {"bob"});
  EXPECT_EQ(team["kind"], "private");
  EXPECT_EQ(team["members"], json::array({"alice", "bob"}));
  const auto id = team["id"].get<std::int64_t>();
  const auto at_bob = bob->room_events_until_synced(id, bob->hello["seq"].get<std::int64_t>());
  ASSERT_EQ(at_bob.size(), 2u) << json(at_bob);  // the room frame, then the sync's room
  EXPECT_EQ(at_bob[0]["type"], "room");
  EXPECT_EQ(at_bob[1]["type"], "sync");
  EXPECT_THROW(alice->create_room("open", "TEAM"), std::runtime_error);  // name_taken
  const auto dm = alice->open_dm({"bob"});
  EXPECT_EQ(dm["kind"], "dm");
  EXPECT_EQ(bob->open_dm({"alice"})["id"], dm["id"]);
}

TEST_F(chat_test, repeated_client_id_stores_once_and_repeats_the_ack) {
  auto alice = connect("alice");
  const auto first = alice->say(general, "same-id", "only once");
  alice->expect("message");
  alice->send(general, "same-id", "only once");
  const auto again = alice->expect("ack");
  EXPECT_EQ(again, first);
  for (const auto& event : alice->drain()) EXPECT_NE(event["type"], "message");

  auto bob = connect("bob");
  EXPECT_EQ(bob->history(general)["messages"].size(), 1u);
}

TEST_F(chat_test, history_pages_through_250_messages_without_gap_or_duplicate) {
  auto alice = connect("alice");
  for (int i = 0; i < 250; ++i) alice->send(general, "m" + std::to_string(i), std::to_string(i));
  for (int i = 0; i < 250; ++i) alice->expect("ack");

  auto bob = connect("bob");
  const auto latest = bob->history(general);
  std::vector<json> all = latest["messages"];
  EXPECT_EQ(all.size(), 50u);
  bool has_more = latest["has_more"];
  while (has_more) {
    const auto page = bob->history(general, all.front()["id"].get<std::int64_t>(), 100);
    ASSERT_LE(page["messages"].size(), 100u);
    all.insert(all.begin(), page["messages"].begin(), page["messages"].end());
    has_more = page["has_more"];
  }
  ASSERT_EQ(all.size(), 250u);
  for (int i = 0; i < 250; ++i) {
    EXPECT_EQ(all[i]["text"], std::to_string(i));
    if (i > 0) {
      EXPECT_GT(all[i]["id"].get<std::int64_t>(), all[i - 1]["id"].get<std::int64_t>());
    }
  }
}

TEST_F(chat_test, sync_pages_of_at_most_1000_cover_everything_once) {
  auto alice = connect("alice");
  // In rounds: a client that sends thousands of frames without reading is, rightly, too slow.
  for (int round = 0; round < 21; ++round) {
    for (int i = 0; i < 100; ++i) alice->send(general, std::to_string(round * 100 + i), "x");
    for (int i = 0; i < 100; ++i) alice->expect("ack");
  }
  std::int64_t since = 0;
  std::set<std::int64_t> ids;
  int pages = 0;
  for (bool more = true; more; ++pages) {
    const auto sync = alice->sync(since);
    ASSERT_LE(sync["messages"].size(), 1000u);
    for (const auto& m : sync["messages"]) EXPECT_TRUE(ids.insert(m["id"].get<std::int64_t>()).second);
    since = sync["seq"];
    more = sync["has_more"];
  }
  EXPECT_EQ(ids.size(), 2100u);
  EXPECT_EQ(pages, 3);
}

}  // namespace
}  // namespace chatterbox::test_support
