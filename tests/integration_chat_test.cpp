// Protocol v1 chat behaviour against the real server (docs/protocol.md).
#include "support/server_fixture.hpp"

#include <gtest/gtest.h>

#include <set>

namespace chatterbox::test_support {
namespace {

using chat_test = server_test;

TEST_F(chat_test, connect_sends_hello_history_presence_receipts) {
  auto alice = join("alice");
  EXPECT_EQ(alice->hello["user"], "alice");
  EXPECT_EQ(alice->hello["seq"], 0);
  EXPECT_EQ(alice->history["messages"], json::array());
  EXPECT_EQ(alice->history["has_more"], false);
  EXPECT_EQ(alice->presence["users"], json::array({"alice"}));
  EXPECT_TRUE(alice->receipts["markers"].is_object());
}

TEST_F(chat_test, message_reaches_both_users_after_ack) {
  auto alice = join("alice");
  auto bob = join("bob");
  EXPECT_EQ(alice->expect("join")["user"], "bob");

  const auto ack = send_message(*alice, "a-1", "  hello bob  ");
  EXPECT_EQ(ack["client_id"], "a-1");
  EXPECT_GT(ack["id"].get<std::int64_t>(), 0);
  EXPECT_TRUE(ack["ts"].is_number_integer());

  const auto at_alice = alice->expect("message");
  const auto at_bob = bob->expect("message");
  EXPECT_EQ(at_alice, at_bob);
  EXPECT_EQ(at_bob["text"], "hello bob");  // trimmed
  EXPECT_EQ(at_bob["user"], "alice");
  EXPECT_EQ(at_bob["id"], ack["id"]);
  EXPECT_EQ(at_bob["ts"], ack["ts"]);
  EXPECT_EQ(at_bob["edited"], false);
  EXPECT_EQ(at_bob["deleted"], false);

  send_message(*bob, "b-1", "hi alice");
  const auto reply = alice->expect("message");
  EXPECT_EQ(reply["user"], "bob");
  EXPECT_EQ(reply["text"], "hi alice");
  EXPECT_GT(reply["seq"].get<std::int64_t>(), at_bob["seq"].get<std::int64_t>());
}

TEST_F(chat_test, author_edits_and_deletes_reach_everyone_and_persist) {
  auto alice = join("alice");
  auto bob = join("bob");
  const auto id = send_message(*alice, "a-1", "frist").value("id", 0);

  alice->send({{"type", "edit"}, {"id", id}, {"text", "first"}});
  for (auto* client : {alice.get(), bob.get()}) {
    const auto edited = client->expect("edited");
    EXPECT_EQ(edited["id"], id);
    EXPECT_EQ(edited["text"], "first");
  }
  alice->send({{"type", "delete"}, {"id", id}});
  for (auto* client : {alice.get(), bob.get()}) EXPECT_EQ(client->expect("deleted")["id"], id);

  auto carol = join("carol");
  const auto& stored = carol->history["messages"].at(0);
  EXPECT_EQ(stored["id"], id);
  EXPECT_EQ(stored["deleted"], true);
  EXPECT_EQ(stored["edited"], true);
  EXPECT_EQ(stored["text"], "");
}

TEST_F(chat_test, another_users_edit_or_delete_is_forbidden_and_changes_nothing) {
  auto alice = join("alice");
  auto bob = join("bob");
  const auto id = send_message(*alice, "a-1", "mine").value("id", 0);
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
  auto carol = join("carol");
  EXPECT_EQ(carol->history["messages"].at(0)["text"], "mine");
  EXPECT_EQ(carol->history["messages"].at(0)["edited"], false);
}

TEST_F(chat_test, typing_reaches_others_not_the_sender_and_clears_on_send) {
  auto alice = join("alice");
  auto bob = join("bob");
  alice->send({{"type", "typing"}, {"active", true}});
  auto typing = bob->expect("typing");
  EXPECT_EQ(typing["user"], "alice");
  EXPECT_EQ(typing["active"], true);
  for (const auto& event : alice->drain()) EXPECT_NE(event["type"], "typing");

  send_message(*alice, "a-1", "done typing");
  typing = bob->expect("typing");
  EXPECT_EQ(typing["user"], "alice");
  EXPECT_EQ(typing["active"], false);
}

TEST_F(chat_test, typing_clears_on_disconnect) {
  auto alice = join("alice");
  auto bob = join("bob");
  bob->send({{"type", "typing"}, {"active", true}});
  EXPECT_EQ(alice->expect("typing")["active"], true);
  bob->close();
  const auto typing = alice->expect("typing");
  EXPECT_EQ(typing["user"], "bob");
  EXPECT_EQ(typing["active"], false);
  EXPECT_EQ(alice->expect("leave")["user"], "bob");
}

TEST_F(chat_test, seen_moves_the_marker_forward_only) {
  auto alice = join("alice");
  auto bob = join("bob");
  const auto first = send_message(*alice, "a-1", "one").value("id", 0);
  const auto second = send_message(*alice, "a-2", "two").value("id", 0);

  bob->send({{"type", "seen"}, {"id", second}});
  auto seen = alice->expect("seen");
  EXPECT_EQ(seen["user"], "bob");
  EXPECT_EQ(seen["id"], second);

  bob->send({{"type", "seen"}, {"id", first}});  // backwards: ignored
  for (const auto& event : bob->drain()) EXPECT_NE(event["type"], "error");
  for (const auto& event : alice->drain()) EXPECT_NE(event["type"], "seen");

  auto carol = join("carol");
  EXPECT_EQ(carol->receipts["markers"]["bob"], second);

  bob->send({{"type", "seen"}, {"id", 999999}});
  EXPECT_EQ(bob->expect("error")["code"], "not_found");
}

TEST_F(chat_test, two_tabs_are_one_online_user) {
  auto alice = join("alice");
  const auto bob_token = token_for(port(), "bob");
  auto bob_tab1 = ws_client::join(port(), bob_token);
  EXPECT_EQ(alice->expect("join")["user"], "bob");
  auto bob_tab2 = ws_client::join(port(), bob_token);
  EXPECT_EQ(bob_tab2->presence["users"], json::array({"alice", "bob"}));

  bob_tab1->close();
  for (const auto& event : alice->drain()) {
    EXPECT_NE(event["type"], "join");
    EXPECT_NE(event["type"], "leave");
  }
  bob_tab2->close();
  EXPECT_EQ(alice->expect("leave")["user"], "bob");
  for (const auto& event : alice->drain()) EXPECT_NE(event["type"], "leave");
}

TEST_F(chat_test, sync_returns_exactly_the_missed_changes) {
  auto alice = join("alice");
  send_message(*alice, "a-0", "before the gap");
  auto bob = join("bob");
  const auto since = bob->hello["seq"].get<std::int64_t>();
  bob->close();

  const auto created = send_message(*alice, "a-1", "while bob was away").value("id", 0);
  const auto edited = send_message(*alice, "a-2", "typo").value("id", 0);
  alice->send({{"type", "edit"}, {"id", edited}, {"text", "fixed"}});
  alice->expect("edited");
  alice->send({{"type", "delete"}, {"id", created}});
  alice->expect("deleted");

  bob = join("bob");
  bob->send({{"type", "sync"}, {"since", since}});
  const auto sync = bob->expect("sync");
  EXPECT_EQ(sync["has_more"], false);
  EXPECT_EQ(sync["seq"], bob->hello["seq"]);
  std::map<std::int64_t, json> by_id;
  for (const auto& m : sync["messages"]) by_id[m["id"].get<std::int64_t>()] = m;
  ASSERT_EQ(sync["messages"].size(), 2u) << sync.dump();
  EXPECT_EQ(by_id[created]["deleted"], true);
  EXPECT_EQ(by_id[edited]["text"], "fixed");
  EXPECT_EQ(by_id[edited]["edited"], true);
}

TEST_F(chat_test, repeated_client_id_stores_once_and_repeats_the_ack) {
  auto alice = join("alice");
  const auto first = send_message(*alice, "same-id", "only once");
  alice->expect("message");
  alice->send({{"type", "send"}, {"client_id", "same-id"}, {"text", "only once"}});
  const auto again = alice->expect("ack");
  EXPECT_EQ(again, first);
  for (const auto& event : alice->drain()) EXPECT_NE(event["type"], "message");

  auto bob = join("bob");
  EXPECT_EQ(bob->history["messages"].size(), 1u);
}

TEST_F(chat_test, history_pages_through_250_messages_without_gap_or_duplicate) {
  auto alice = join("alice");
  for (int i = 0; i < 250; ++i) {
    alice->send({{"type", "send"}, {"client_id", "m" + std::to_string(i)}, {"text", std::to_string(i)}});
  }
  for (int i = 0; i < 250; ++i) alice->expect("ack");

  auto bob = join("bob");
  std::vector<json> all = bob->history["messages"];
  EXPECT_EQ(all.size(), 50u);
  bool has_more = bob->history["has_more"];
  while (has_more) {
    bob->send({{"type", "history"}, {"before", all.front()["id"]}, {"limit", 100}});
    const auto page = bob->expect("history");
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
  auto alice = join("alice");
  // In rounds: a client that sends thousands of frames without reading is, rightly, too slow.
  for (int round = 0; round < 21; ++round) {
    for (int i = 0; i < 100; ++i) {
      alice->send({{"type", "send"}, {"client_id", std::to_string(round * 100 + i)}, {"text", "x"}});
    }
    for (int i = 0; i < 100; ++i) alice->expect("ack");
  }
  std::int64_t since = 0;
  std::set<std::int64_t> ids;
  int pages = 0;
  for (bool more = true; more; ++pages) {
    alice->send({{"type", "sync"}, {"since", since}});
    const auto sync = alice->expect("sync");
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
