// Rooms, DMs and the membership invariant against the real server (docs/protocol.md, "Who sees
// what"): a user receives events of their rooms only, and every command naming another room
// reads and changes nothing.
#include "support/server_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <set>

namespace chatterbox::test_support {
namespace {

using rooms_test = server_test;

json send_in(ws_client& client, std::int64_t room, const std::string& client_id,
             const std::string& text) {
  client.send({{"type", "send"}, {"room", room}, {"client_id", client_id}, {"text", text}});
  return client.expect("ack");
}

// Every event that reaches `client` before the answer to a request sent now. The server handles
// one connection's frames in order and queues its events in order, so an event that was due
// before the request is among these: no timeout decides what was not delivered.
std::vector<json> events_so_far(ws_client& client) {
  client.send({{"type", "members"}, {"room", 1}, {"prefix", "~"}, {"limit", 1}});
  std::vector<json> events;
  for (;;) {
    auto event = client.next();
    if (!event) throw std::runtime_error("no answer to the members request");
    if ((*event)["type"] == "members" && (*event)["prefix"] == "~") return events;
    events.push_back(std::move(*event));
  }
}

bool mentions_room(const json& event, std::int64_t room) {
  if (event.contains("room")) {
    const auto& r = event["room"];
    if (r.is_number_integer() && r.get<std::int64_t>() == room) return true;
    if (r.is_object() && r.value("id", 0) == room) return true;
  }
  if (event.contains("messages")) {
    for (const auto& m : event["messages"]) {
      if (m.value("room", 0) == room) return true;
    }
  }
  if (event.contains("rooms")) {
    for (const auto& r : event["rooms"]) {
      if (r.value("id", 0) == room) return true;
    }
  }
  return false;
}

void expect_nothing_of(ws_client& client, std::int64_t room) {
  for (const auto& event : events_so_far(client)) {
    EXPECT_FALSE(mentions_room(event, room)) << "leaked: " << event.dump();
  }
}

// A copy: the hello often belongs to a connection made for the lookup and closed right after.
std::optional<json> room_in_hello(const json& hello, std::int64_t room) {
  for (const auto& r : hello["rooms"]) {
    if (r["id"] == room) return r;
  }
  return std::nullopt;
}

json expect_error(ws_client& client, const json& frame, const std::string& code) {
  client.send(frame);
  const auto error = client.expect("error");
  EXPECT_EQ(error["code"], code) << "for " << frame.dump() << ": " << error.dump();
  return error;
}

TEST_F(rooms_test, hello_lists_general_and_the_users_rooms_only) {
  auto alice = join("alice");
  auto bob = join("bob");
  auto carol = join("carol");
  const auto secret = create_private(*alice, "secret", {"bob"});

  // A new connection sees the rooms it belongs to in hello, before any history is fetched.
  const auto bob2 = join("bob");
  ASSERT_TRUE(room_in_hello(bob2->hello, 1).has_value());
  EXPECT_EQ((*room_in_hello(bob2->hello, 1))["name"], "general");
  EXPECT_EQ((*room_in_hello(bob2->hello, 1))["kind"], "open");
  const auto room = room_in_hello(bob2->hello, secret);
  ASSERT_TRUE(room.has_value());
  EXPECT_EQ((*room)["kind"], "private");
  EXPECT_EQ((*room)["members"], json::array({"alice", "bob"}));
  EXPECT_EQ((*room)["notify"], "mentions");
  EXPECT_EQ(bob2->hello["protocol"], 2);

  const auto carol2 = join("carol");
  EXPECT_FALSE(room_in_hello(carol2->hello, secret).has_value());
}

TEST_F(rooms_test, a_non_member_receives_no_event_of_a_private_room) {
  auto alice = join("alice");
  auto bob = join("bob");
  auto carol = join("carol");
  const auto secret = create_private(*alice, "secret", {"bob"});
  EXPECT_EQ(bob->expect("room")["room"]["id"], secret);

  const auto id = send_in(*alice, secret, "a-1", "the plan @carol @bob")["id"].get<std::int64_t>();
  const auto message = bob->expect("message");
  EXPECT_EQ(message["room"], secret);
  EXPECT_EQ(message["mentions"], json::array({"bob"}));  // carol is no member: no mention
  alice->send({{"type", "edit"}, {"id", id}, {"text", "the real plan"}});
  EXPECT_EQ(bob->expect("edited")["room"], secret);
  alice->send({{"type", "typing"}, {"room", secret}, {"active", true}});
  EXPECT_EQ(bob->expect("typing")["room"], secret);
  bob->send({{"type", "seen"}, {"room", secret}, {"id", id}});
  EXPECT_EQ(alice->expect("receipt")["room"], secret);
  bob->send({{"type", "react"}, {"id", id}, {"emoji", "👀"}, {"on", true}});
  EXPECT_EQ(alice->expect("reaction")["room"], secret);
  send_in(*bob, secret, "b-1", "a reply");
  bob->send({{"type", "send"}, {"room", secret}, {"client_id", "b-2"}, {"text", "on it"},
             {"reply_to", id}});
  EXPECT_EQ(alice->expect("replies")["room"], secret);
  alice->send({{"type", "rename_room"}, {"room", secret}, {"name", "secret-2"}});
  EXPECT_EQ(bob->expect("room")["room"]["name"], "secret-2");
  alice->send({{"type", "delete"}, {"id", id}});
  EXPECT_EQ(bob->expect("deleted")["room"], secret);

  expect_nothing_of(*carol, secret);
  // Nor on catch-up: sync and a new connection's hello.
  carol->send({{"type", "sync"}, {"since", 0}});
  const auto sync = carol->expect("sync");
  EXPECT_FALSE(mentions_room(sync, secret)) << sync.dump();
  EXPECT_FALSE(room_in_hello(join("carol")->hello, secret).has_value());
}

TEST_F(rooms_test, every_command_naming_a_room_of_others_is_not_found_and_changes_nothing) {
  auto alice = join("alice");
  auto bob = join("bob");
  auto carol = join("carol");
  const auto secret = create_private(*alice, "secret", {"bob"});
  const auto id = send_in(*alice, secret, "a-1", "hidden")["id"].get<std::int64_t>();
  const std::int64_t missing = 999;

  for (const auto room : {secret, missing}) {
    SCOPED_TRACE(room);
    expect_error(*carol, {{"type", "send"}, {"room", room}, {"client_id", "c-1"}, {"text", "hi"}},
                 "not_found");
    expect_error(*carol, {{"type", "history"}, {"room", room}}, "not_found");
    expect_error(*carol, {{"type", "typing"}, {"room", room}, {"active", true}}, "not_found");
    expect_error(*carol, {{"type", "seen"}, {"room", room}, {"id", id}}, "not_found");
    expect_error(*carol, {{"type", "seen_by"}, {"room", room}, {"id", id}}, "not_found");
    expect_error(*carol, {{"type", "members"}, {"room", room}}, "not_found");
    expect_error(*carol, {{"type", "rename_room"}, {"room", room}, {"name", "mine"}}, "not_found");
    expect_error(*carol, {{"type", "add_members"}, {"room", room}, {"users", {"carol"}}},
                 "not_found");
    expect_error(*carol, {{"type", "remove_member"}, {"room", room}, {"user", "bob"}}, "not_found");
    expect_error(*carol, {{"type", "leave_room"}, {"room", room}}, "not_found");
    expect_error(*carol, {{"type", "archive_room"}, {"room", room}, {"archived", true}},
                 "not_found");
    expect_error(*carol, {{"type", "notify"}, {"room", room}, {"level", "all"}}, "not_found");
  }
  expect_error(*carol, {{"type", "edit"}, {"id", id}, {"text", "mine"}}, "not_found");
  expect_error(*carol, {{"type", "delete"}, {"id", id}}, "not_found");
  expect_error(*carol, {{"type", "react"}, {"id", id}, {"emoji", "👍"}, {"on", true}}, "not_found");
  // A reply in a room of hers cannot quote it either (the quote would show it).
  expect_error(*carol, {{"type", "send"}, {"room", 1}, {"client_id", "c-2"}, {"text", "what?"},
                        {"reply_to", id}},
               "not_found");

  // Nothing changed: the members see the room and its message as they were.
  bob->send({{"type", "history"}, {"room", secret}});
  const auto history = bob->expect("history");
  ASSERT_EQ(history["messages"].size(), 1u);
  EXPECT_EQ(history["messages"][0]["text"], "hidden");
  const auto room = room_in_hello(join("bob")->hello, secret);
  ASSERT_TRUE(room.has_value());
  EXPECT_EQ((*room)["name"], "secret");
  EXPECT_EQ((*room)["members"], json::array({"alice", "bob"}));
  EXPECT_EQ((*room)["archived"], false);
  expect_nothing_of(*bob, 999);
}

TEST_F(rooms_test, removal_while_connected_ends_every_event_and_read) {
  auto alice = join("alice");
  auto bob = join("bob");
  const auto secret = create_private(*alice, "secret", {"bob"});
  send_in(*alice, secret, "a-1", "before");
  EXPECT_EQ(bob->expect("message")["text"], "before");
  const auto sync_seq = bob->hello["seq"].get<std::int64_t>();

  alice->send({{"type", "remove_member"}, {"room", secret}, {"user", "bob"}});
  EXPECT_EQ(bob->expect("room_removed")["room"], secret);
  const auto changed = alice->expect("room");
  EXPECT_EQ(changed["room"]["members"], json::array({"alice"}));

  send_in(*alice, secret, "a-2", "after");
  alice->send({{"type", "typing"}, {"room", secret}, {"active", true}});
  expect_nothing_of(*bob, secret);
  expect_error(*bob, {{"type", "history"}, {"room", secret}}, "not_found");

  // Catch-up after a reconnect: the room is gone from hello, and sync says it was left.
  auto again = join("bob");
  EXPECT_FALSE(room_in_hello(again->hello, secret).has_value());
  again->send({{"type", "sync"}, {"since", sync_seq}});
  const auto sync = again->expect("sync");
  EXPECT_EQ(sync["removed"], json::array({secret}));
  for (const auto& m : sync["messages"]) EXPECT_NE(m["room"], secret) << m.dump();
}

TEST_F(rooms_test, only_the_creator_removes_renames_and_archives_anyone_may_add_and_leave) {
  auto alice = join("alice");
  auto bob = join("bob");
  auto carol = join("carol");
  const auto team = create_private(*alice, "team", {"bob"});
  expect_error(*bob, {{"type", "rename_room"}, {"room", team}, {"name", "bobs"}}, "forbidden");
  expect_error(*bob, {{"type", "archive_room"}, {"room", team}, {"archived", true}}, "forbidden");
  expect_error(*bob, {{"type", "remove_member"}, {"room", team}, {"user", "alice"}}, "forbidden");

  bob->send({{"type", "add_members"}, {"room", team}, {"users", {"carol"}}});
  const auto added = carol->expect("room");
  EXPECT_EQ(added["room"]["members"], json::array({"alice", "bob", "carol"}));
  carol->send({{"type", "history"}, {"room", team}});
  EXPECT_EQ(carol->expect("history")["room"], team);

  carol->send({{"type", "leave_room"}, {"room", team}});
  EXPECT_EQ(carol->expect("room_removed")["room"], team);

  alice->send({{"type", "archive_room"}, {"room", team}, {"archived", true}});
  auto archived = bob->expect("room");  // after the frames of carol's coming and going
  while (archived["room"]["archived"] != true) archived = bob->expect("room");
  expect_error(*bob, {{"type", "send"}, {"room", team}, {"client_id", "b-1"}, {"text", "x"}},
               "forbidden");
  // Open rooms and DMs have no members to change.
  expect_error(*bob, {{"type", "leave_room"}, {"room", 1}}, "forbidden");
}

TEST_F(rooms_test, room_names_are_unique_regardless_of_case) {
  auto alice = join("alice");
  create_private(*alice, "Design", {});
  expect_error(*alice,
               {{"type", "create_room"}, {"kind", "open"}, {"name", "design"}, {"client_id", "x"}},
               "name_taken");
  expect_error(*alice,
               {{"type", "create_room"}, {"kind", "open"}, {"name", "general"}, {"client_id", "y"}},
               "name_taken");
}

TEST_F(rooms_test, an_open_room_reaches_everyone_including_later_accounts) {
  auto alice = join("alice");
  auto bob = join("bob");
  alice->send({{"type", "create_room"}, {"kind", "open"}, {"name", "random"}, {"client_id", "r"}});
  const auto created = bob->expect("room");
  const auto random = created["room"]["id"].get<std::int64_t>();
  EXPECT_EQ(created["room"]["kind"], "open");
  EXPECT_FALSE(created.contains("ref"));  // the ref is for the creator
  auto dave = join("dave");  // an account created after the room
  ASSERT_TRUE(room_in_hello(dave->hello, random).has_value());
  send_in(*alice, random, "a-1", "hello everyone");
  EXPECT_EQ(dave->expect("message")["room"], random);
  EXPECT_EQ(bob->expect("message")["room"], random);
}

TEST_F(rooms_test, a_dm_is_one_per_set_of_people_and_private_to_them) {
  auto alice = join("alice");
  auto bob = join("bob");
  auto carol = join("carol");
  auto dave = join("dave");
  alice->send({{"type", "open_dm"}, {"users", {"bob", "carol"}}, {"client_id", "d-1"}});
  auto opened = alice->expect("room");
  while (opened.value("ref", "") != "d-1") opened = alice->expect("room");
  const auto dm = opened["room"]["id"].get<std::int64_t>();
  EXPECT_EQ(opened["room"]["kind"], "dm");
  EXPECT_TRUE(opened["room"]["name"].is_null());
  EXPECT_EQ(opened["room"]["members"], json::array({"alice", "bob", "carol"}));
  EXPECT_EQ(bob->expect("room")["room"]["id"], dm);

  // The same people, in any order and from any of them: the same conversation.
  carol->send({{"type", "open_dm"}, {"users", {"alice", "bob"}}, {"client_id", "d-2"}});
  auto found = carol->expect("room");
  while (found.value("ref", "") != "d-2") found = carol->expect("room");
  EXPECT_EQ(found["room"]["id"], dm);

  send_in(*bob, dm, "b-1", "group chat");
  EXPECT_EQ(alice->expect("message")["room"], dm);
  EXPECT_EQ(carol->expect("message")["room"], dm);
  expect_nothing_of(*dave, dm);
  EXPECT_FALSE(room_in_hello(join("dave")->hello, dm).has_value());
  const auto in_hello = room_in_hello(join("carol")->hello, dm);
  ASSERT_TRUE(in_hello.has_value());
  EXPECT_EQ((*in_hello)["notify"], "all");  // DMs notify of everything by default
  expect_error(*alice, {{"type", "add_members"}, {"room", dm}, {"users", {"dave"}}}, "forbidden");
  expect_error(*alice, {{"type", "leave_room"}, {"room", dm}}, "forbidden");
}

TEST_F(rooms_test, unread_and_mentions_follow_reading_in_another_tab) {
  auto alice = join("alice");
  auto bob = join("bob");
  send_in(*alice, 1, "a-1", "one");
  send_in(*alice, 1, "a-2", "two @bob");
  const auto last = send_in(*alice, 1, "a-3", "three")["id"].get<std::int64_t>();

  auto tab1 = join("bob");
  auto tab2 = join("bob");
  const auto general = room_in_hello(tab1->hello, 1);
  ASSERT_TRUE(general.has_value());
  EXPECT_EQ((*general)["unread"], 3);
  EXPECT_EQ((*general)["mentions"], 1);
  EXPECT_EQ((*general)["last_id"], last);
  // Own messages are never unread.
  EXPECT_EQ((*room_in_hello(join("alice")->hello, 1))["unread"], 0);

  tab1->send({{"type", "seen"}, {"room", 1}, {"id", last - 1}});
  for (auto* tab : {tab1.get(), tab2.get()}) {
    const auto read = tab->expect("read");
    EXPECT_EQ(read["room"], 1);
    EXPECT_EQ(read["id"], last - 1);
    EXPECT_EQ(read["unread"], 1);
    EXPECT_EQ(read["mentions"], 0);
  }
  EXPECT_EQ(alice->expect("receipt")["user"], "bob");
  const auto after = room_in_hello(join("bob")->hello, 1);
  EXPECT_EQ((*after)["marker"], last - 1);
  EXPECT_EQ((*after)["unread"], 1);
  EXPECT_EQ((*room_in_hello(join("alice")->hello, 1))["others_read"], last - 1);
}

TEST_F(rooms_test, notify_level_is_per_user_and_room) {
  auto alice = join("alice");
  auto tab2 = join("alice");
  alice->send({{"type", "notify"}, {"room", 1}, {"level", "all"}});
  EXPECT_EQ(tab2->expect("notify")["level"], "all");
  EXPECT_EQ((*room_in_hello(join("alice")->hello, 1))["notify"], "all");
  EXPECT_EQ((*room_in_hello(join("bob")->hello, 1))["notify"], "mentions");
}

TEST_F(rooms_test, members_and_seen_by_answer_for_the_room) {
  auto alice = join("alice");
  auto bob = join("bob");
  auto bert = join("bert");
  const auto team = create_private(*alice, "team", {"bob"});
  alice->send({{"type", "members"}, {"room", team}, {"prefix", "B"}});
  const auto members = alice->expect("members");
  ASSERT_EQ(members["users"].size(), 1u);  // bert is in general, not in the team
  EXPECT_EQ(members["users"][0]["name"], "bob");
  EXPECT_EQ(members["users"][0]["online"], true);

  const auto id = send_in(*alice, team, "a-1", "read me")["id"].get<std::int64_t>();
  bob->send({{"type", "seen"}, {"room", team}, {"id", id}});
  bob->expect("read");
  alice->send({{"type", "seen_by"}, {"room", team}, {"id", id}});
  const auto seen_by = alice->expect("seen_by");
  EXPECT_EQ(seen_by["users"], json::array({"bob"}));
}

TEST_F(rooms_test, presence_goes_to_watchers_only) {
  token_for(port(), "bob");  // an account, not yet connected
  auto alice = join("alice");
  alice->send({{"type", "watch"}, {"users", {"bob"}}});
  const auto initial = alice->expect("presence");
  EXPECT_EQ(initial["online"], json::array());
  EXPECT_EQ(initial["offline"], json::array({"bob"}));
  auto carol = join("carol");  // not watched: nothing said about her
  auto bob = join("bob");
  const auto change = alice->expect("presence");
  EXPECT_EQ(change["online"], json::array({"bob"}));
  EXPECT_EQ(change["offline"], json::array());
  for (const auto& event : events_so_far(*carol)) EXPECT_NE(event["type"], "presence");
}

TEST_F(rooms_test, a_restart_keeps_rooms_members_and_markers) {
  {
    auto alice = join("alice");
    auto bob = join("bob");
    const auto team = create_private(*alice, "team", {"bob"});
    const auto id = send_in(*alice, team, "a-1", "kept")["id"].get<std::int64_t>();
    bob->send({{"type", "seen"}, {"room", team}, {"id", id}});
    bob->expect("read");
  }
  restart();
  auto bob = join("bob");
  const auto team = std::find_if(bob->hello["rooms"].begin(), bob->hello["rooms"].end(),
                                 [](const json& r) { return r["name"] == "team"; });
  ASSERT_NE(team, bob->hello["rooms"].end());
  EXPECT_EQ((*team)["members"], json::array({"alice", "bob"}));
  EXPECT_EQ((*team)["unread"], 0);
  EXPECT_EQ((*team)["marker"], (*team)["last_id"]);
  auto carol = join("carol");
  EXPECT_FALSE(room_in_hello(carol->hello, (*team)["id"].get<std::int64_t>()).has_value());
}

}  // namespace
}  // namespace chatterbox::test_support
