// Search and history around a message against the real server: the membership invariant
// (docs/protocol.md, "Who sees what") holds for search as for every other read.
#include "support/server_fixture.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace chatterbox::test_support {
namespace {

using search_test = server_test;
using ids = std::vector<std::int64_t>;

std::int64_t say_in(ws_client& client, std::int64_t room, const std::string& client_id,
                    const std::string& text) {
  client.send({{"type", "send"}, {"room", room}, {"client_id", client_id}, {"text", text}});
  for (;;) {
    const auto ack = client.expect("ack");
    if (ack["client_id"] == client_id) return ack["id"].get<std::int64_t>();
  }
}

// The answer to a search: its `search` frame or its `error`.
json search(ws_client& client, const std::string& query) {
  client.send({{"type", "search"}, {"query", query}});
  return client.expect_match(
      [&](const json& frame) {
        return (frame["type"] == "search" && frame["query"] == query) || frame["type"] == "error";
      },
      "the answer to a search for " + query);
}

ids found(ws_client& client, const std::string& query) {
  const auto answer = search(client, query);
  EXPECT_EQ(answer["type"], "search") << answer.dump();
  ids out;
  for (const auto& result : answer.value("results", json::array())) {
    out.push_back(result["id"].get<std::int64_t>());
  }
  return out;
}

TEST_F(search_test, finds_messages_with_quotes_and_operators_highlighted) {
  auto alice = join("alice");
  auto bob = join("bob");
  say_in(*bob, 1, "b-1", "release notes draft");
  const auto id = say_in(*alice, 1, "a-1", "The release notes are ready, deploy at noon");
  say_in(*alice, 1, "a-2", "notes on the release");
  const auto answer = search(*bob, "\"release notes\" deplo* from:alice in:#General");
  ASSERT_EQ(answer["type"], "search") << answer.dump();
  ASSERT_EQ(answer["results"].size(), 1u);
  EXPECT_EQ(answer["results"][0]["id"], id);
  EXPECT_EQ(answer["results"][0]["snippet"],
            json({"The ", "release notes", " are ready, ", "deploy", " at noon"}));
  EXPECT_EQ(answer["has_more"], false);
}

TEST_F(search_test, never_returns_messages_of_rooms_the_user_is_not_in) {
  auto alice = join("alice");
  auto bob = join("bob");
  auto carol = join("carol");
  const auto secret = create_private(*alice, "secret", {"bob"});
  const auto hidden = say_in(*alice, secret, "a-1", "launch codes are 1234");
  alice->send({{"type", "open_dm"}, {"users", {"bob"}}, {"client_id", "dm"}});
  const auto dm_room = alice->expect_match(
      [](const json& f) { return f["type"] == "room" && f.value("ref", "") == "dm"; }, "the DM");
  const auto dm = dm_room["room"]["id"].get<std::int64_t>();
  const auto whispered = say_in(*alice, dm, "a-2", "launch party is a surprise");
  const auto open = say_in(*alice, 1, "a-3", "launch is on Monday");

  EXPECT_EQ(found(*bob, "launch"), (ids{open, whispered, hidden}));
  EXPECT_EQ(found(*carol, "launch"), (ids{open}));
  EXPECT_EQ(found(*carol, "codes"), ids{});
  EXPECT_EQ(found(*carol, "from:alice"), (ids{open}));
  // Naming the room does not help: it is answered like a room that does not exist.
  const auto named = search(*carol, "launch in:secret");
  const auto missing = search(*carol, "launch in:nowhere");
  EXPECT_EQ(named["code"], "not_found");
  EXPECT_EQ(named["message"], "no room called secret");
  EXPECT_EQ(missing["message"], "no room called nowhere");
  // Nor does opening one of its messages in context.
  for (const auto room : {secret, std::int64_t{1}}) {
    carol->send({{"type", "history"}, {"room", room}, {"around", hidden}});
    EXPECT_EQ(carol->expect("error")["code"], "not_found") << room;
  }
}

TEST_F(search_test, a_removed_member_no_longer_finds_the_rooms_messages) {
  auto alice = join("alice");
  auto bob = join("bob");
  const auto secret = create_private(*alice, "secret", {"bob"});
  const auto hidden = say_in(*alice, secret, "a-1", "quarterly numbers");
  EXPECT_EQ(found(*bob, "quarterly"), (ids{hidden}));
  alice->send({{"type", "remove_member"}, {"room", secret}, {"user", "bob"}});
  EXPECT_EQ(bob->expect("room_removed")["room"], secret);
  EXPECT_EQ(found(*bob, "quarterly"), ids{});
  EXPECT_EQ(search(*bob, "quarterly in:secret")["code"], "not_found");
  bob->send({{"type", "history"}, {"room", secret}, {"around", hidden}});
  EXPECT_EQ(bob->expect("error")["code"], "not_found");
}

TEST_F(search_test, hostile_queries_get_results_or_a_clear_error) {
  auto alice = join("alice");
  const auto id = say_in(*alice, 1, "a-1", "NEAR( and \"quotes\" are text");
  EXPECT_EQ(found(*alice, "NEAR("), (ids{id}));
  EXPECT_EQ(found(*alice, "\"quotes"), (ids{id}));
  EXPECT_EQ(found(*alice, "near( OR AND NOT text"), ids{});  // every word must match
  const auto error = search(*alice, "\"");
  EXPECT_EQ(error["code"], "invalid_field");
  EXPECT_EQ(error["message"], "nothing to search for");
  // The connection is fine afterwards.
  EXPECT_EQ(found(*alice, "text"), (ids{id}));
}

TEST_F(search_test, a_result_opens_in_context_and_scrolls_both_ways) {
  auto alice = join("alice");
  ids posted;
  for (int i = 0; i < 30; ++i) {
    posted.push_back(say_in(*alice, 1, "a-" + std::to_string(i),
                            i == 12 ? "the needle" : "hay " + std::to_string(i)));
  }
  const auto hits = found(*alice, "needle");
  ASSERT_EQ(hits, (ids{posted[12]}));
  alice->send({{"type", "history"}, {"room", 1}, {"around", hits[0]}, {"limit", 10}});
  const auto around = alice->expect("history");
  EXPECT_EQ(around["around"], hits[0]);
  ids page;
  for (const auto& m : around["messages"]) page.push_back(m["id"].get<std::int64_t>());
  EXPECT_EQ(page, ids(posted.begin() + 7, posted.begin() + 17));
  EXPECT_EQ(around["has_more"], true);
  EXPECT_EQ(around["has_newer"], true);
  alice->send({{"type", "history"}, {"room", 1}, {"after", page.back()}, {"limit", 50}});
  const auto newer = alice->expect("history");
  EXPECT_EQ(newer["after"], page.back());
  EXPECT_EQ(newer["messages"].size(), 13u);
  EXPECT_EQ(newer["messages"].back()["id"], posted.back());
  EXPECT_EQ(newer["has_more"], false);
}

}  // namespace
}  // namespace chatterbox::test_support
