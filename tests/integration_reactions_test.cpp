// Reactions and replies against the real server: another user sees them live, a reconnecting
// client catches up on them with sync, and history shows them as they are now.
#include "support/server_fixture.hpp"

#include <gtest/gtest.h>

namespace chatterbox::test_support {
namespace {

using reactions_test = server_test;

std::int64_t say(ws_client& client, const json& frame) {
  client.send(frame);
  return client.expect("ack")["id"].get<std::int64_t>();
}

json send_frame(const std::string& client_id, const std::string& text) {
  return {{"type", "send"}, {"room", 1}, {"client_id", client_id}, {"text", text}};
}

TEST_F(reactions_test, another_user_sees_a_reaction_and_a_reply_live) {
  auto alice = join("alice");
  auto bob = join("bob");
  const auto id = say(*alice, send_frame("a-1", "Ship on Friday?"));
  EXPECT_EQ(bob->expect("message")["id"], id);

  bob->send({{"type", "react"}, {"id", id}, {"emoji", "👍"}, {"on", true}});
  const auto reaction = alice->expect("reaction");
  EXPECT_EQ(reaction["id"], id);
  EXPECT_EQ(reaction["emoji"], "👍");
  EXPECT_EQ(reaction["user"], "bob");
  EXPECT_EQ(reaction["count"], 1);

  auto reply = send_frame("b-1", "Friday it is");
  reply["reply_to"] = id;
  const auto reply_id = say(*bob, reply);
  const auto message = alice->expect("message");
  EXPECT_EQ(message["id"], reply_id);
  EXPECT_EQ(message["reply_to"]["id"], id);
  EXPECT_EQ(message["reply_to"]["user"], "alice");
  EXPECT_EQ(message["reply_to"]["text"], "Ship on Friday?");
  const auto replies = alice->expect("replies");
  EXPECT_EQ(replies["id"], id);
  EXPECT_EQ(replies["count"], 1);

  // History shows the original with its reaction (and whether it is yours) and reply count.
  bob->send({{"type", "history"}, {"room", 1}});
  const auto page = bob->expect("history");
  ASSERT_EQ(page["messages"].size(), 2u);
  const auto& original = page["messages"][0];
  EXPECT_EQ(original["replies"], 1);
  EXPECT_EQ(original["reactions"],
            json::parse(R"([{"emoji":"👍","count":1,"users":["bob"],"me":true}])"));
  EXPECT_EQ(page["messages"][1]["reply_to"]["id"], id);
}

TEST_F(reactions_test, a_client_that_was_away_catches_up_on_reactions_with_sync) {
  auto alice = join("alice");
  const auto id = say(*alice, send_frame("a-1", "Lunch?"));
  auto bob = join("bob");
  const auto since = bob->hello["seq"].get<std::int64_t>();
  bob.reset();  // bob's laptop sleeps

  auto carol = join("carol");
  carol->send({{"type", "react"}, {"id", id}, {"emoji", "🍕"}, {"on", true}});
  EXPECT_EQ(alice->expect("reaction")["count"], 1);
  carol->send({{"type", "react"}, {"id", id}, {"emoji", "🍕"}, {"on", false}});
  EXPECT_EQ(alice->expect("reaction")["count"], 0);
  alice->send({{"type", "react"}, {"id", id}, {"emoji", "🍜"}, {"on", true}});
  EXPECT_EQ(alice->expect("reaction")["count"], 1);

  auto back = join("bob");
  back->send({{"type", "sync"}, {"since", since}});
  const auto sync = back->expect("sync");
  ASSERT_EQ(sync["messages"].size(), 1u);
  EXPECT_EQ(sync["messages"][0]["id"], id);
  EXPECT_EQ(sync["messages"][0]["reactions"],
            json::parse(R"([{"emoji":"🍜","count":1,"users":["alice"]}])"));
  EXPECT_EQ(sync["has_more"], false);
}

}  // namespace
}  // namespace chatterbox::test_support
