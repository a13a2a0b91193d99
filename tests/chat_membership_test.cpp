// chat_service: the security invariant of rooms (docs/protocol.md, "Who sees what"), at unit
// level — a command naming a room the user is not a member of is `not_found` and changes nothing,
// and no event of a room reaches anyone but its members.

#include "support/chat_fixture.hpp"

namespace chatterbox {
namespace {

using namespace test_support;

class chat_membership_test : public chat_fixture {
 protected:
  void SetUp() override {
    chat_fixture::SetUp();
    alice = connect(alice_);
    bob = connect(bob_);
    carol = connect(carol_);
    carol2 = connect(carol_);
    secret = create_private(alice, "secret", {"bob"});
    dm = open_dm(alice, {"bob"});
    secret_message = post(alice, "in secret", secret);
    dm_message = post(bob, "in the dm", dm);
    forget_frames();
  }

  // Every command that names a room (or a message in it), as `carol` would send it.
  static std::vector<json> commands_naming(std::int64_t room, std::int64_t message) {
    return {
        send("c-x", "let me in", room),
        {{"type", "typing"}, {"room", room}, {"active", true}},
        {{"type", "seen"}, {"room", room}, {"id", message}},
        {{"type", "history"}, {"room", room}},
        {{"type", "members"}, {"room", room}},
        {{"type", "seen_by"}, {"room", room}, {"id", message}},
        {{"type", "rename_room"}, {"room", room}, {"name", "mine"}},
        {{"type", "add_members"}, {"room", room}, {"users", {"carol"}}},
        {{"type", "remove_member"}, {"room", room}, {"user", "bob"}},
        {{"type", "leave_room"}, {"room", room}},
        {{"type", "archive_room"}, {"room", room}, {"archived", true}},
        {{"type", "notify"}, {"room", room}, {"level", "all"}},
        {{"type", "edit"}, {"id", message}, {"text", "mine"}},
        {{"type", "delete"}, {"id", message}},
        {{"type", "react"}, {"id", message}, {"emoji", "👍"}, {"on", true}},
    };
  }

  // What docs/protocol.md says the error's ref is for each command.
  static json expected_ref(const json& command) {
    const auto type = command.at("type").get<std::string>();
    if (type == "send") return command.at("client_id");
    if (type == "seen" || type == "seen_by" || type == "edit" || type == "delete" ||
        type == "react") {
      return command.at("id");
    }
    return command.at("room");
  }

  std::shared_ptr<fake_peer> alice, bob, carol, carol2;
  std::int64_t secret = 0;
  std::int64_t dm = 0;
  std::int64_t secret_message = 0;
  std::int64_t dm_message = 0;
};

TEST_F(chat_membership_test, EveryCommandNamingAnotherRoomIsNotFoundAndChangesNothing) {
  const auto seq = service_->current_seq();
  const auto rooms_before = rooms_->all_rooms().size();
  // A private room, a DM, and a room that does not exist: answered alike.
  for (const auto& [room, message] : std::vector<std::pair<std::int64_t, std::int64_t>>{
           {secret, secret_message}, {dm, dm_message}, {999, 999}}) {
    for (const auto& command : commands_naming(room, message)) {
      receive(carol, command);
      settle();
      ASSERT_EQ(carol->types(), (types{"error"})) << command.dump();
      const auto error = carol->take().at(0);
      EXPECT_EQ(error.at("code"), "not_found") << command.dump();
      EXPECT_EQ(error.at("ref"), expected_ref(command)) << command.dump();
      EXPECT_TRUE(carol2->frames.empty()) << command.dump();
      EXPECT_TRUE(alice->frames.empty()) << command.dump();
      EXPECT_TRUE(bob->frames.empty()) << command.dump();
    }
  }
  EXPECT_EQ(service_->current_seq(), seq);
  EXPECT_EQ(rooms_->all_rooms().size(), rooms_before);
  EXPECT_EQ(messages_->find(secret_message)->text, "in secret");
  EXPECT_FALSE(messages_->find(secret_message)->edited);
  EXPECT_FALSE(messages_->find_by_client_id(carol_, "c-x").has_value());
  for (const auto& m : rooms_->memberships_of(carol_)) EXPECT_EQ(m.room_id, general);
  // Alice and bob still see the room as it was.
  receive(alice, {{"type", "members"}, {"room", secret}});
  EXPECT_EQ(alice->take().at(0).at("users").size(), 2u);
}

TEST_F(chat_membership_test, NoEventOfARoomReachesANonMember) {
  receive(alice, send("c-1", "hello bob", secret));
  receive(bob, {{"type", "typing"}, {"room", secret}, {"active", true}});
  receive(bob, {{"type", "typing"}, {"room", dm}, {"active", true}});
  settle();
  receive(alice, {{"type", "edit"}, {"id", secret_message}, {"text", "edited @carol"}});
  receive(bob, {{"type", "react"}, {"id", secret_message}, {"emoji", "🎉"}, {"on", true}});
  receive(bob, {{"type", "send"}, {"room", secret}, {"client_id", "re-1"}, {"text", "a reply"},
                {"reply_to", secret_message}});
  settle();
  receive(bob, {{"type", "seen"}, {"room", secret}, {"id", secret_message}});
  receive(alice, {{"type", "seen"}, {"room", dm}, {"id", dm_message}});
  receive(alice, {{"type", "rename_room"}, {"room", secret}, {"name", "still secret"}});
  receive(alice, {{"type", "add_members"}, {"room", secret}, {"users", {"dave"}}});
  settle();
  receive(alice, {{"type", "remove_member"}, {"room", secret}, {"user", "dave"}});
  receive(alice, {{"type", "delete"}, {"id", secret_message}});
  receive(alice, {{"type", "archive_room"}, {"room", secret}, {"archived", true}});
  receive(alice, {{"type", "notify"}, {"room", secret}, {"level", "all"}});
  settle();
  open_dm(alice, {"bob", "dave"});                                  // a new DM without carol
  run_until([] { return false; }, std::chrono::milliseconds(120));  // typing expiry too

  EXPECT_TRUE(carol->frames.empty()) << carol->frames.size();
  EXPECT_TRUE(carol2->frames.empty());
  // Meanwhile the members got each of them.
  for (const char* type : {"message", "edited", "deleted", "receipt", "room", "reaction", "replies"}) {
    EXPECT_FALSE(alice->of_type(type).empty()) << type;
  }
  EXPECT_FALSE(alice->of_type("typing").empty());
  // Nor does a catch-up reveal anything.
  receive(carol, {{"type", "sync"}, {"since", 0}});
  const auto page = carol->take().at(0);
  EXPECT_TRUE(page.at("messages").empty());
  EXPECT_TRUE(page.at("rooms").empty());
  EXPECT_TRUE(page.at("removed").empty());
  // And her hello lists only general.
  const auto again = connect(carol_);
  ASSERT_EQ(again->frames.at(0).at("rooms").size(), 1u);
  EXPECT_EQ(again->frames[0].at("rooms")[0].at("id"), general);
}

TEST_F(chat_membership_test, AReplyCannotQuoteAMessageOfAnotherRoom) {
  // Not carol, who may not see it; and not alice either, whose quote would show the private
  // message to everyone in general.
  for (const auto& [peer, user] : {std::pair{carol, carol_}, std::pair{alice, alice_}}) {
    receive(peer, {{"type", "send"}, {"room", general}, {"client_id", "q-1"},
                   {"text", "what did you say?"}, {"reply_to", secret_message}});
    settle();
    ASSERT_EQ(peer->types(), (types{"error"}));
    const auto error = peer->take().at(0);
    EXPECT_EQ(error.at("code"), "not_found");
    EXPECT_EQ(error.at("ref"), "q-1");
    EXPECT_FALSE(messages_->find_by_client_id(user, "q-1").has_value());
  }
  EXPECT_TRUE(bob->frames.empty());
  EXPECT_EQ(messages_->find(secret_message)->replies, 0);
}

TEST_F(chat_membership_test, ARemovedMembersConnectionsStopGettingEventsAtOnce) {
  receive(alice, {{"type", "remove_member"}, {"room", secret}, {"user", "bob"}});
  settle();
  ASSERT_EQ(bob->of_type("room_removed").size(), 1u);
  bob->take();
  receive(alice, send("c-2", "bob is gone", secret));
  receive(alice, {{"type", "typing"}, {"room", secret}, {"active", true}});
  receive(alice, {{"type", "seen"}, {"room", secret}, {"id", secret_message}});
  settle();
  EXPECT_TRUE(bob->frames.empty());
  for (const auto& command : commands_naming(secret, secret_message)) {
    receive(bob, command);
    settle();
    ASSERT_EQ(bob->types(), (types{"error"})) << command.dump();
    EXPECT_EQ(bob->take().at(0).at("code"), "not_found") << command.dump();
  }
  // The DM is another room: he is still in it.
  receive(alice, send("c-3", "still here?", dm));
  settle();
  EXPECT_EQ(bob->of_type("message").size(), 1u);
}

TEST_F(chat_membership_test, TypingGoesToTheRoomsOtherMembersOnly) {
  const auto dave = connect(dave_);
  dave->take();
  receive(alice, {{"type", "typing"}, {"room", secret}, {"active", true}});
  EXPECT_EQ(bob->frames,
            (std::vector<json>{
                json{{"type", "typing"}, {"room", secret}, {"user", "alice"}, {"active", true}}}));
  EXPECT_TRUE(alice->frames.empty());
  EXPECT_TRUE(carol->frames.empty());
  EXPECT_TRUE(dave->frames.empty());
  receive(alice, {{"type", "typing"}, {"room", general}, {"active", true}});
  EXPECT_EQ(carol->types(), (types{"typing"}));
  EXPECT_EQ(dave->types(), (types{"typing"}));
  EXPECT_EQ(bob->of_type("typing").size(), 2u);
}

TEST_F(chat_membership_test, AnAuthorWhoLeftCannotEditOrDeleteTheirMessages) {
  const auto own = post(bob, "mine", secret);
  receive(bob, {{"type", "leave_room"}, {"room", secret}});
  settle();
  bob->take();
  receive(bob, {{"type", "edit"}, {"id", own}, {"text", "changed"}});
  receive(bob, {{"type", "delete"}, {"id", own}});
  settle();
  ASSERT_EQ(bob->types(), (types{"error", "error"}));
  EXPECT_EQ(bob->frames[0].at("code"), "not_found");
  EXPECT_EQ(bob->frames[1].at("code"), "not_found");
  EXPECT_EQ(messages_->find(own)->text, "mine");
  EXPECT_FALSE(messages_->find(own)->deleted);
}

}  // namespace
}  // namespace chatterbox
