// chat_service: replies (a quote of the original, its reply count) and emoji reactions — live
// events, what history and sync carry, and the limits (docs/protocol.md, "Replies",
// "Reactions").

#include "support/chat_fixture.hpp"

namespace chatterbox {
namespace {

using namespace test_support;

class chat_reactions_test : public chat_fixture {
 protected:
  void SetUp() override {
    chat_fixture::SetUp();
    alice = connect(alice_);
    bob = connect(bob_);
    carol = connect(carol_);
    original = post(alice, "Shall we ship on Friday?\nDetails below.");
    forget_frames();
  }

  static json reply(const std::string& client_id, const std::string& text, std::int64_t to,
                    std::int64_t room = general) {
    json frame = send(client_id, text, room);
    frame["reply_to"] = to;
    return frame;
  }
  static json react(std::int64_t id, const std::string& emoji, bool on = true) {
    return {{"type", "react"}, {"id", id}, {"emoji", emoji}, {"on", on}};
  }
  // The message `id` as the latest history page shows it to `peer`.
  json in_history(const std::shared_ptr<fake_peer>& peer, std::int64_t id) {
    settle();
    peer->take();  // events that came before: not the page
    receive(peer, history(general));
    const auto page = peer->take().at(0);
    for (const auto& m : page.at("messages")) {
      if (m.at("id") == id) return m;
    }
    ADD_FAILURE() << "message " << id << " not in history";
    return json::object();
  }

  std::shared_ptr<fake_peer> alice, bob, carol;
  std::int64_t original = 0;
};

// --- replies ---

TEST_F(chat_reactions_test, AReplyQuotesTheOriginalsFirstLineAndTheRoomLearnsItsReplyCount) {
  receive(bob, reply("r-1", "Yes, Friday", original));
  settle();
  ASSERT_EQ(bob->types(), (types{"ack", "message", "replies"}));
  ASSERT_EQ(alice->types(), (types{"message", "replies"}));
  const auto message = alice->frames[0];
  EXPECT_EQ(message.at("reply_to"), frame_of(R"({"id":)" + std::to_string(original) +
                                              R"(,"user":"alice","text":"Shall we ship on Friday?","deleted":false})"));
  const auto replies = alice->frames[1];
  EXPECT_EQ(replies.at("room"), general);
  EXPECT_EQ(replies.at("id"), original);
  EXPECT_EQ(replies.at("count"), 1);
  EXPECT_GT(replies.at("seq"), message.at("seq"));  // the original changed after the reply
  EXPECT_EQ(service_->current_seq(), replies.at("seq"));

  // History shows both as they are now; the original's count is part of it.
  EXPECT_EQ(in_history(carol, original).at("replies"), 1);
  EXPECT_EQ(in_history(carol, original).at("seq"), replies.at("seq"));
  EXPECT_EQ(in_history(carol, message.at("id")).at("reply_to").at("user"), "alice");
  // A message without replies says nothing about them.
  EXPECT_FALSE(in_history(carol, message.at("id")).contains("replies"));
  EXPECT_FALSE(in_history(carol, original).contains("reply_to"));
}

TEST_F(chat_reactions_test, DeletingAReplyCountsItDownAndDeletingTheOriginalKeepsTheReplies) {
  const auto first = post(bob, "one");
  receive(bob, reply("r-1", "first answer", original));
  receive(carol, reply("r-2", "second answer", original));
  settle();
  const auto bob_reply = bob->of_type("ack").back().at("id").get<std::int64_t>();
  const auto carol_reply = carol->of_type("ack").back().at("id").get<std::int64_t>();
  EXPECT_EQ(alice->of_type("replies").back().at("count"), 2);
  forget_frames();

  receive(bob, {{"type", "delete"}, {"id", bob_reply}});
  settle();
  ASSERT_EQ(alice->types(), (types{"deleted", "replies"}));
  EXPECT_EQ(alice->frames[1].at("count"), 1);
  forget_frames();

  receive(alice, {{"type", "delete"}, {"id", original}});
  settle();
  EXPECT_EQ(bob->types(), (types{"deleted"}));
  const auto quote = in_history(bob, carol_reply).at("reply_to");
  EXPECT_EQ(quote.at("deleted"), true);
  EXPECT_EQ(quote.at("text"), "");
  EXPECT_FALSE(in_history(bob, first).contains("reply_to"));
}

TEST_F(chat_reactions_test, AReplyToADeletedOrUnknownMessageIsRefusedAndStoresNothing) {
  receive(alice, {{"type", "delete"}, {"id", original}});
  settle();
  forget_frames();
  receive(bob, reply("r-1", "too late", original));
  receive(bob, reply("r-2", "to nothing", 9999));
  settle();
  const auto errors = bob->of_type("error");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].at("code"), "forbidden");
  EXPECT_EQ(errors[0].at("ref"), "r-1");
  EXPECT_EQ(errors[1].at("code"), "not_found");
  EXPECT_EQ(errors[1].at("ref"), "r-2");
  EXPECT_TRUE(alice->frames.empty());
  EXPECT_FALSE(messages_->find_by_client_id(bob_, "r-1").has_value());
}

TEST_F(chat_reactions_test, AResentReplyIsCountedOnce) {
  receive(bob, reply("r-1", "yes", original));
  settle();
  forget_frames();
  receive(bob, reply("r-1", "yes", original));  // after a reconnect, say
  settle();
  EXPECT_EQ(bob->types(), (types{"ack"}));
  EXPECT_TRUE(alice->frames.empty());
  EXPECT_EQ(messages_->find(original)->replies, 1);
}

TEST_F(chat_reactions_test, AReplyResentAfterItsOriginalWasDeletedIsStillItsOriginalAck) {
  receive(bob, reply("r-1", "yes", original));
  settle();
  const auto id = bob->of_type("ack").at(0).at("id");
  receive(alice, {{"type", "delete"}, {"id", original}});
  settle();
  forget_frames();
  receive(bob, reply("r-1", "yes", original));  // the ack was lost with the connection
  settle();
  ASSERT_EQ(bob->types(), (types{"ack"}));
  EXPECT_EQ(bob->frames[0].at("id"), id);
}

TEST_F(chat_reactions_test, ALongFirstLineIsCutInTheQuote) {
  const auto long_one = post(alice, long_text(150, "é") + "\nrest");
  receive(bob, reply("r-1", "tl;dr?", long_one));
  settle();
  const auto quote = bob->of_type("message").back().at("reply_to").at("text").get<std::string>();
  EXPECT_EQ(quote, long_text(100, "é") + "…");
}

// --- reactions ---

TEST_F(chat_reactions_test, AReactionGoesToTheRoomWithTheNewCountAndIsIdempotent) {
  receive(bob, react(original, "👍"));
  settle();
  ASSERT_EQ(alice->types(), (types{"reaction"}));
  const auto event = alice->frames[0];
  EXPECT_EQ(event.at("room"), general);
  EXPECT_EQ(event.at("id"), original);
  EXPECT_EQ(event.at("emoji"), "👍");
  EXPECT_EQ(event.at("user"), "bob");
  EXPECT_EQ(event.at("on"), true);
  EXPECT_EQ(event.at("count"), 1);
  EXPECT_EQ(event.at("seq"), service_->current_seq());
  EXPECT_EQ(bob->types(), (types{"reaction"}));  // the reacting user's tabs too
  forget_frames();

  receive(bob, react(original, "👍"));  // already so: nothing changes, nothing is sent
  settle();
  EXPECT_TRUE(alice->frames.empty());
  EXPECT_TRUE(bob->frames.empty());

  receive(carol, react(original, "👍"));
  receive(bob, react(original, "👍", false));
  settle();
  const auto events = alice->of_type("reaction");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].at("count"), 2);
  EXPECT_EQ(events[1].at("on"), false);
  EXPECT_EQ(events[1].at("count"), 1);
}

TEST_F(chat_reactions_test, HistoryAndSyncCarryReactionsInOrderWithWhoAndMe) {
  const auto seq = service_->current_seq();
  receive(alice, react(original, "👍"));
  receive(carol, react(original, "🎉"));
  receive(bob, react(original, "👍"));
  settle();
  EXPECT_EQ(in_history(alice, original).at("reactions"), frame_of(R"([
    {"emoji":"👍","count":2,"users":["alice","bob"],"me":true},
    {"emoji":"🎉","count":1,"users":["carol"]}])"));
  EXPECT_EQ(in_history(carol, original).at("reactions"), frame_of(R"([
    {"emoji":"👍","count":2,"users":["alice","bob"]},
    {"emoji":"🎉","count":1,"users":["carol"],"me":true}])"));

  // The message changed with each reaction: a catch-up brings it, as it is now.
  receive(carol, {{"type", "sync"}, {"since", seq}});
  const auto page = carol->take().at(0);
  ASSERT_EQ(page.at("messages").size(), 1u);
  EXPECT_EQ(page.at("messages")[0].at("id"), original);
  EXPECT_EQ(page.at("messages")[0].at("reactions")[1].at("me"), true);
  EXPECT_EQ(page.at("seq"), service_->current_seq());
}

TEST_F(chat_reactions_test, AtMostTwentyNamesAreListedButEveryoneIsCounted) {
  std::vector<std::shared_ptr<fake_peer>> crowd;
  for (int i = 0; i < 22; ++i) crowd.push_back(connect(create_user("user" + std::to_string(100 + i))));
  for (const auto& peer : crowd) receive(peer, react(original, "❤️"));
  settle();
  const auto message = in_history(crowd.back(), original);
  const auto& entry = message.at("reactions")[0];
  EXPECT_EQ(entry.at("count"), 22);
  ASSERT_EQ(entry.at("users").size(), 20u);
  EXPECT_EQ(entry.at("users")[0], "user100");  // the first to react
  EXPECT_EQ(entry.at("me"), true);             // though not among the names listed
}

TEST_F(chat_reactions_test, AMessageTakesAtMostTwentyDifferentEmoji) {
  for (int i = 0; i < 20; ++i) receive(bob, react(original, "#" + std::to_string(i)));
  settle();
  EXPECT_EQ(bob->of_type("reaction").size(), 20u);
  forget_frames();
  receive(bob, react(original, "🦀"));
  settle();
  ASSERT_EQ(bob->types(), (types{"error"}));
  EXPECT_EQ(bob->frames[0].at("code"), "forbidden");
  EXPECT_EQ(bob->frames[0].at("ref"), original);
  forget_frames();
  receive(carol, react(original, "#7"));  // one already there is always possible
  settle();
  EXPECT_EQ(carol->of_type("reaction").at(0).at("count"), 2);
}

TEST_F(chat_reactions_test, DeletedMessagesAndArchivedRoomsTakeNoReactions) {
  receive(bob, react(original, "👍"));
  settle();
  receive(alice, {{"type", "delete"}, {"id", original}});
  settle();
  forget_frames();
  receive(bob, react(original, "👎"));
  settle();
  ASSERT_EQ(bob->types(), (types{"error"}));
  EXPECT_EQ(bob->frames[0].at("code"), "forbidden");
  EXPECT_FALSE(in_history(bob, original).contains("reactions"));  // a tombstone keeps none

  const auto room = create_private(alice, "old", {"bob"});
  const auto kept = post(alice, "kept", room);
  receive(alice, {{"type", "archive_room"}, {"room", room}, {"archived", true}});
  settle();
  forget_frames();
  receive(bob, react(kept, "👍"));
  settle();
  ASSERT_EQ(bob->types(), (types{"error"}));
  EXPECT_EQ(bob->frames[0].at("code"), "forbidden");
}

TEST_F(chat_reactions_test, AReactionNeedsAnEmoji) {
  for (const auto* emoji : {"", "lol", "👍 ", "a👍", "\t", "👍👍👍👍👍👍👍👍👍👍👍👍👍👍👍👍👍"}) {
    receive(bob, react(original, emoji));
    const auto error = bob->take().at(0);
    EXPECT_EQ(error.at("code"), "invalid_field") << emoji;
    EXPECT_EQ(error.at("ref"), original) << emoji;
  }
  settle();
  EXPECT_TRUE(alice->frames.empty());
}

}  // namespace
}  // namespace chatterbox
