// chat_service: mentions — who a message mentions, counted in the unread state until read;
// edits re-read the text and deletes remove them.

#include "support/chat_fixture.hpp"

namespace chatterbox {
namespace {

using namespace test_support;

class chat_mentions_test : public chat_fixture {
 protected:
  // The user's unread state of `room` as a new connection's hello gives it.
  json state_of(std::int64_t user, std::int64_t room) {
    const auto peer = make_peer(user);
    service_->connect(peer);
    json found;
    for (const auto& r : peer->frames.at(0).at("rooms")) {
      if (r.at("id") == room) found = r;
    }
    service_->disconnect(*peer);
    settle();
    return found;
  }
  int mentions_of(std::int64_t user, std::int64_t room = general) {
    return state_of(user, room).at("mentions").get<int>();
  }
  int unread_of(std::int64_t user, std::int64_t room = general) {
    return state_of(user, room).at("unread").get<int>();
  }
};

TEST_F(chat_mentions_test, AMentionOfAMemberIsSentWithTheMessageAndCountedInHello) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  forget_frames();
  receive(alice, send("c-1", "hi @Bob and @carol, also @alice and @nobody"));
  settle();
  const auto message = bob->of_type("message").at(0);
  EXPECT_EQ(message.at("mentions"), json({"bob", "carol"}));  // as registered; never the sender
  EXPECT_EQ(mentions_of(bob_), 1);
  EXPECT_EQ(unread_of(bob_), 1);
  EXPECT_EQ(mentions_of(carol_), 1);
  EXPECT_EQ(mentions_of(dave_), 0);
  EXPECT_EQ(unread_of(dave_), 1);
  EXPECT_EQ(mentions_of(alice_), 0);
}

TEST_F(chat_mentions_test, SentenceEndsAndAddressesAreReadAsTheyAreMeant) {
  const auto alice = connect(alice_);
  post(alice, "thanks @bob.");
  post(alice, "mail me at carol@dave or dave@carol.org");
  post(alice, "(@carol-) and @dave...");
  EXPECT_EQ(mentions_of(bob_), 1);
  EXPECT_EQ(mentions_of(carol_), 1);
  EXPECT_EQ(mentions_of(dave_), 1);
}

TEST_F(chat_mentions_test, NamesOfNonMembersAreNoMentions) {
  const auto alice = connect(alice_);
  const auto room = create_private(alice, "design", {"bob"});
  forget_frames();
  receive(alice, send("c-1", "@bob @carol", room));
  settle();
  EXPECT_EQ(alice->of_type("message").at(0).at("mentions"), json({"bob"}));
  EXPECT_EQ(mentions_of(bob_, room), 1);
  EXPECT_EQ(mentions_of(carol_), 0);
}

TEST_F(chat_mentions_test, HereMentionsTheMembersOnlineWhenStored) {
  const auto alice = connect(alice_);
  connect(bob_);
  connect(carol_);
  const auto room = create_private(alice, "design", {"bob", "dave"});
  forget_frames();
  receive(alice, send("c-1", "@here standup", room));
  receive(alice, send("c-2", "@HERE everyone"));
  settle();
  EXPECT_EQ(alice->of_type("message").at(0).at("mentions"), json({"here"}));
  EXPECT_EQ(mentions_of(bob_, room), 1);
  EXPECT_EQ(mentions_of(dave_, room), 0);  // offline
  EXPECT_EQ(mentions_of(alice_, room), 0);
  EXPECT_EQ(mentions_of(carol_), 1);
  EXPECT_EQ(mentions_of(bob_), 1);
  EXPECT_EQ(mentions_of(dave_), 0);
  EXPECT_EQ(mentions_of(alice_), 0);
}

TEST_F(chat_mentions_test, EditsAddAndRemoveMentions) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  const auto id = post(alice, "hello @bob");
  ASSERT_EQ(mentions_of(bob_), 1);
  forget_frames();

  receive(alice, {{"type", "edit"}, {"id", id}, {"text", "hello @carol"}});
  settle();
  EXPECT_EQ(bob->of_type("edited").at(0).at("mentions"), json({"carol"}));
  EXPECT_EQ(mentions_of(bob_), 0);
  EXPECT_EQ(mentions_of(carol_), 1);
  EXPECT_EQ(unread_of(bob_), 1);  // still unread, no longer a mention
  EXPECT_EQ(messages_->find(id)->mentions, (std::vector<std::string>{"carol"}));

  receive(alice, {{"type", "edit"}, {"id", id}, {"text", "hello all"}});
  settle();
  EXPECT_EQ(mentions_of(carol_), 0);
  EXPECT_TRUE(bob->of_type("edited").at(1).at("mentions").empty());
}

TEST_F(chat_mentions_test, DeletesRemoveMentionsAndUnreadCounts) {
  const auto alice = connect(alice_);
  const auto id = post(alice, "hello @bob");
  post(alice, "and @bob again");
  ASSERT_EQ(mentions_of(bob_), 2);
  receive(alice, {{"type", "delete"}, {"id", id}});
  settle();
  EXPECT_EQ(mentions_of(bob_), 1);
  EXPECT_EQ(unread_of(bob_), 1);
  EXPECT_TRUE(messages_->find(id)->mentions.empty());
}

TEST_F(chat_mentions_test, ReadingPastAMentionClearsIt) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  const auto first = post(alice, "@bob one");
  const auto second = post(alice, "@bob two");
  post(alice, "three");
  bob->take();
  receive(bob, {{"type", "seen"}, {"room", general}, {"id", first}});
  settle();
  EXPECT_EQ(
      bob->of_type("read").at(0),
      (json{{"type", "read"}, {"room", general}, {"id", first}, {"unread", 2}, {"mentions", 1}}));
  receive(bob, {{"type", "seen"}, {"room", general}, {"id", second}});
  settle();
  EXPECT_EQ(bob->of_type("read").at(1).at("mentions"), 0);
  EXPECT_EQ(bob->of_type("read").at(1).at("unread"), 1);
  EXPECT_EQ(mentions_of(bob_), 0);
  EXPECT_EQ(unread_of(bob_), 1);
}

TEST_F(chat_mentions_test, CountsStopAtAHundred) {
  const auto alice = connect(alice_);
  for (int i = 0; i < 105; ++i)
    receive(alice, send("m" + std::to_string(i), "@bob " + std::to_string(i)));
  settle();
  EXPECT_EQ(unread_of(bob_), 100);
  EXPECT_EQ(mentions_of(bob_), 100);
}

}  // namespace
}  // namespace chatterbox
