// chat_service: room commands — create, open a DM, rename, add and remove members, leave,
// archive, notification level.

#include "support/chat_fixture.hpp"

#include "chatterbox/storage/audit_log.hpp"

namespace chatterbox {
namespace {

using namespace test_support;

using chat_rooms_test = chat_fixture;

TEST_F(chat_rooms_test, CreatePrivateRoomGoesToItsMembersOnly) {
  const auto alice = connect(alice_);
  const auto alice2 = connect(alice_);
  const auto bob = connect(bob_);
  const auto carol = connect(carol_);
  forget_frames();

  receive(alice, {{"type", "create_room"},
                  {"kind", "private"},
                  {"name", "  design "},
                  {"users", {"bob", "Bob", "alice"}},
                  {"client_id", "r-1"}});
  settle();
  ASSERT_EQ(alice->types(), (types{"room"}));
  const auto& frame = alice->frames[0];
  EXPECT_EQ(frame.at("ref"), "r-1");
  const auto& room = frame.at("room");
  EXPECT_EQ(room.at("kind"), "private");
  EXPECT_EQ(room.at("name"), "design");  // trimmed
  EXPECT_EQ(room.at("creator"), "alice");
  EXPECT_EQ(room.at("archived"), false);
  EXPECT_EQ(room.at("member_count"), 2);
  EXPECT_EQ(room.at("members"), json({"alice", "bob"}));
  EXPECT_EQ(room.at("seq"), service_->current_seq());
  EXPECT_EQ(alice2->frames, alice->frames);  // the creator's other tabs too, ref and all
  ASSERT_EQ(bob->types(), (types{"room"}));
  EXPECT_FALSE(bob->frames[0].contains("ref"));
  EXPECT_EQ(bob->frames[0].at("room"), room);
  EXPECT_TRUE(carol->frames.empty());
}

TEST_F(chat_rooms_test, CreateOpenRoomGoesToEveryoneAndEveryoneIsAMember) {
  const auto alice = connect(alice_);
  const auto carol = connect(carol_);
  forget_frames();
  const auto room = create_open(alice, "random");
  ASSERT_EQ(carol->types(), (types{"room"}));
  EXPECT_EQ(carol->frames[0].at("room").at("kind"), "open");
  EXPECT_EQ(carol->frames[0].at("room").at("member_count"), 4);
  EXPECT_FALSE(carol->frames[0].at("room").contains("members"));
  receive(carol, send("c-1", "hi all", room));
  settle();
  EXPECT_EQ(alice->of_type("message").size(), 1u);
  // Hello lists it for everyone, open rooms first.
  const auto dave = connect(dave_);
  EXPECT_EQ(dave->frames.at(0).at("rooms").size(), 2u);
}

TEST_F(chat_rooms_test, NamesAreUniqueRegardlessOfCaseAndUnknownUsersCreateNothing) {
  const auto alice = connect(alice_);
  create_private(alice, "design");
  alice->take();
  const auto seq = service_->current_seq();
  for (const char* name : {"DESIGN", "General"}) {
    receive(alice, {{"type", "create_room"}, {"kind", "open"}, {"name", name}, {"client_id", "x"}});
    settle();
    ASSERT_EQ(alice->types(), (types{"error"})) << name;
    EXPECT_EQ(alice->frames[0].at("code"), "name_taken");
    EXPECT_EQ(alice->frames[0].at("ref"), "x");
    alice->take();
  }
  receive(alice, {{"type", "create_room"},
                  {"kind", "private"},
                  {"name", "new"},
                  {"users", {"bob", "nobody"}},
                  {"client_id", "y"}});
  settle();
  ASSERT_EQ(alice->types(), (types{"error"}));
  EXPECT_EQ(alice->frames[0].at("code"), "not_found");
  EXPECT_EQ(alice->frames[0].at("ref"), "y");
  EXPECT_EQ(service_->current_seq(), seq);
  EXPECT_EQ(rooms_->all_rooms().size(), 2u);
}

TEST_F(chat_rooms_test, OpeningADmAgainFindsTheSameOne) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  const auto carol = connect(carol_);
  forget_frames();
  const auto dm = open_dm(alice, {"bob"});
  const auto& room = alice->frames.back().at("room");
  EXPECT_EQ(room.at("kind"), "dm");
  EXPECT_TRUE(room.at("name").is_null());
  EXPECT_EQ(room.at("members"), json({"alice", "bob"}));
  ASSERT_EQ(bob->types(), (types{"room"}));  // a new DM is sent to its other members
  EXPECT_TRUE(carol->frames.empty());
  forget_frames();

  EXPECT_EQ(open_dm(bob, {"ALICE"}), dm);  // either side, any spelling
  EXPECT_TRUE(alice->frames.empty());      // found, not created: nothing to the others
  EXPECT_EQ(open_dm(alice, {"bob", "bob"}), dm);
  EXPECT_EQ(bob->types(), (types{"room"}));  // his own answer only
  EXPECT_EQ(rooms_->all_rooms().size(), 2u);

  const auto group = open_dm(carol, {"bob", "alice"});
  EXPECT_NE(group, dm);
  EXPECT_EQ(open_dm(alice, {"carol", "bob"}), group);
  const auto notes = open_dm(alice, {});  // a DM with only yourself
  EXPECT_NE(notes, dm);
  EXPECT_EQ(alice->frames.back().at("room").at("members"), json({"alice"}));

  const auto again = connect(alice_);
  for (const auto& r : again->frames.at(0).at("rooms")) {
    EXPECT_EQ(r.at("notify"), r.at("kind") == "dm" ? "all" : "mentions") << r.dump();
  }
}

TEST_F(chat_rooms_test, RenameAndArchiveAreForTheCreatorOnly) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  const auto room = create_private(alice, "design", {"bob"});
  create_private(alice, "taken");
  const auto dm = open_dm(alice, {"bob"});
  forget_frames();

  receive(bob, {{"type", "rename_room"}, {"room", room}, {"name", "mine now"}});
  receive(bob, {{"type", "archive_room"}, {"room", room}, {"archived", true}});
  receive(alice, {{"type", "rename_room"}, {"room", dm}, {"name", "a dm"}});
  receive(alice, {{"type", "rename_room"}, {"room", room}, {"name", "TAKEN"}});
  settle();
  ASSERT_EQ(bob->types(), (types{"error", "error"}));
  EXPECT_EQ(bob->frames[0].at("code"), "forbidden");
  EXPECT_EQ(bob->frames[0].at("ref"), room);
  EXPECT_EQ(bob->frames[1].at("code"), "forbidden");
  ASSERT_EQ(alice->types(), (types{"error", "error"}));
  EXPECT_EQ(alice->frames[0].at("code"), "forbidden");
  EXPECT_EQ(alice->frames[1].at("code"), "name_taken");
  forget_frames();

  receive(alice, {{"type", "rename_room"}, {"room", room}, {"name", "Design Team"}});
  settle();
  ASSERT_EQ(bob->types(), (types{"room"}));
  EXPECT_EQ(bob->frames[0].at("room").at("name"), "Design Team");
  EXPECT_EQ(alice->frames, bob->frames);
  EXPECT_EQ(bob->frames[0].at("room").at("seq"), service_->current_seq());
  create_private(alice, "design");  // the old name is free again
  forget_frames();

  receive(alice, {{"type", "archive_room"}, {"room", room}, {"archived", true}});
  settle();
  EXPECT_EQ(bob->take().at(0).at("room").at("archived"), true);
  receive(alice, {{"type", "archive_room"}, {"room", room}, {"archived", false}});
  settle();
  EXPECT_EQ(bob->take().at(0).at("room").at("archived"), false);
}

TEST_F(chat_rooms_test, AddedMembersGetTheRoomItsHistoryAndItsEvents) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  const auto carol = connect(carol_);
  const auto room = create_private(alice, "design", {"bob"});
  const auto before = post(alice, "said before carol", room);
  forget_frames();

  // Any member may add; users already in it are skipped.
  receive(bob, {{"type", "add_members"}, {"room", room}, {"users", {"carol", "alice"}}});
  settle();
  ASSERT_EQ(carol->types(), (types{"room"}));
  EXPECT_EQ(carol->frames[0].at("room").at("members"), json({"alice", "bob", "carol"}));
  EXPECT_EQ(alice->types(), (types{"room"}));
  carol->take();
  receive(carol, {{"type", "history"}, {"room", room}});
  EXPECT_EQ(ids_of(carol->take().at(0).at("messages")), (std::vector<std::int64_t>{before}));
  post(alice, "now with carol", room);
  EXPECT_EQ(carol->of_type("message").size(), 1u);
  // What was said before she came counts as read.
  const auto again = connect(carol_);
  for (const auto& r : again->frames.at(0).at("rooms")) {
    if (r.at("id") == room) {
      EXPECT_EQ(r.at("unread"), 1);
    }
  }

  forget_frames();
  receive(bob, {{"type", "add_members"}, {"room", general}, {"users", {"carol"}}});
  const auto dm = open_dm(alice, {"bob"});
  receive(alice, {{"type", "add_members"}, {"room", dm}, {"users", {"carol"}}});
  settle();
  EXPECT_EQ(bob->of_type("error").at(0).at("code"), "forbidden");
  EXPECT_EQ(alice->of_type("error").at(0).at("code"), "forbidden");
}

TEST_F(chat_rooms_test, RemovedMemberIsToldOnEveryTabAndGetsNothingMore) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  const auto bob2 = connect(bob_);
  const auto room = create_private(alice, "design", {"bob", "carol"});
  const auto id = post(alice, "hello", room);
  receive(bob, {{"type", "typing"}, {"room", room}, {"active", true}});
  forget_frames();

  receive(alice, {{"type", "remove_member"}, {"room", room}, {"user", "bob"}});
  settle();
  // Bob's typing ends for the others, he gets room_removed, the rest the new member list.
  EXPECT_EQ(bob->of_type("room_removed"),
            (std::vector<json>{json{{"type", "room_removed"}, {"room", room}}}));
  EXPECT_EQ(bob2->of_type("room_removed").size(), 1u);
  EXPECT_TRUE(bob->of_type("room").empty());
  EXPECT_EQ(alice->of_type("room").at(0).at("room").at("members"), json({"alice", "carol"}));
  EXPECT_EQ(alice->of_type("typing").size(), 1u);
  forget_frames();

  post(alice, "after bob", room);
  receive(alice, {{"type", "edit"}, {"id", id}, {"text", "edited"}});
  receive(alice, {{"type", "typing"}, {"room", room}, {"active", true}});
  receive(alice, {{"type", "seen"}, {"room", room}, {"id", id}});
  receive(alice, {{"type", "rename_room"}, {"room", room}, {"name", "design 2"}});
  settle();
  EXPECT_TRUE(bob->frames.empty());
  EXPECT_TRUE(bob2->frames.empty());
  receive(bob, {{"type", "history"}, {"room", room}});
  EXPECT_EQ(bob->take().at(0).at("code"), "not_found");
  receive(bob, {{"type", "sync"}, {"since", 0}});
  const auto page = bob->take().at(0);
  EXPECT_TRUE(page.at("messages").empty());
  EXPECT_TRUE(page.at("rooms").empty());
  EXPECT_EQ(page.at("removed"), json({room}));
}

TEST_F(chat_rooms_test, RemovingIsForTheCreatorAndLeavingForAnyoneOfAPrivateRoom) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  const auto room = create_private(alice, "design", {"bob", "carol"});
  const auto dm = open_dm(alice, {"bob"});
  forget_frames();

  receive(bob, {{"type", "remove_member"}, {"room", room}, {"user", "carol"}});
  receive(bob, {{"type", "leave_room"}, {"room", general}});
  receive(bob, {{"type", "leave_room"}, {"room", dm}});
  receive(alice, {{"type", "remove_member"}, {"room", room}, {"user", "dave"}});  // not a member
  settle();
  ASSERT_EQ(bob->types(), (types{"error", "error", "error"}));
  for (const auto& error : bob->frames) EXPECT_EQ(error.at("code"), "forbidden");
  ASSERT_EQ(alice->types(), (types{"error"}));
  EXPECT_EQ(alice->frames[0].at("code"), "not_found");
  forget_frames();

  receive(bob, {{"type", "leave_room"}, {"room", room}});
  settle();
  EXPECT_EQ(bob->types(), (types{"room_removed"}));
  EXPECT_EQ(alice->take().at(0).at("room").at("members"), json({"alice", "carol"}));
}

TEST_F(chat_rooms_test, APrivateRoomWithNobodyLeftIsArchived) {
  const auto alice = connect(alice_);
  const auto room = create_private(alice, "solo");
  post(alice, "notes", room);
  forget_frames();
  receive(alice, {{"type", "leave_room"}, {"room", room}});
  settle();
  EXPECT_EQ(alice->types(), (types{"room_removed"}));
  for (const auto& r : rooms_->all_rooms()) {
    if (r.id == room) {
      EXPECT_TRUE(r.archived);
    }
  }
  EXPECT_EQ(messages_->page_before(room, std::nullopt, 10).size(), 1u);  // nothing is lost
}

TEST_F(chat_rooms_test, NotifyLevelGoesToTheUsersConnectionsOnlyAndIsKept) {
  const auto alice = connect(alice_);
  const auto alice2 = connect(alice_);
  const auto bob = connect(bob_);
  forget_frames();
  receive(alice, {{"type", "notify"}, {"room", general}, {"level", "none"}});
  settle();
  const auto expected = json{{"type", "notify"}, {"room", general}, {"level", "none"}};
  EXPECT_EQ(alice->frames, (std::vector<json>{expected}));
  EXPECT_EQ(alice2->frames, (std::vector<json>{expected}));
  EXPECT_TRUE(bob->frames.empty());
  const auto again = connect(alice_);
  EXPECT_EQ(again->frames.at(0).at("rooms")[0].at("notify"), "none");
  EXPECT_EQ(connect(bob_)->frames.at(0).at("rooms")[0].at("notify"), "mentions");
}

TEST_F(chat_rooms_test, TheSenderNamedAmongTheOthersIsTheSameDm) {
  const auto alice = connect(alice_);
  const auto dm = open_dm(alice, {"bob"});
  EXPECT_EQ(open_dm(alice, {"alice", "bob"}), dm);
  EXPECT_EQ(open_dm(alice, {"alice"}), open_dm(alice, {}));
}

TEST_F(chat_rooms_test, GeneralHasNoCreatorSoOnlyAnAdministratorArchivesIt) {
  const auto alice = connect(alice_);  // the first account: the administrator
  const auto bob = connect(bob_);
  alice->take();
  bob->take();
  receive(bob, {{"type", "rename_room"}, {"room", general}, {"name", "lobby"}});
  receive(bob, {{"type", "archive_room"}, {"room", general}, {"archived", true}});
  settle();
  ASSERT_EQ(bob->types(), (types{"error", "error"}));
  EXPECT_EQ(bob->frames[0].at("code"), "forbidden");
  EXPECT_EQ(bob->frames[1].at("code"), "forbidden");

  // Moderation: archiving, yes (and audited); renaming stays the creator's.
  bob->take();
  receive(alice, {{"type", "rename_room"}, {"room", general}, {"name", "lobby"}});
  receive(alice, {{"type", "archive_room"}, {"room", general}, {"archived", true}});
  settle();
  ASSERT_EQ(alice->types(), (types{"error", "room"}));
  EXPECT_EQ(alice->frames[0].at("code"), "forbidden");
  EXPECT_EQ(alice->frames[1].at("room").at("archived"), true);
  EXPECT_EQ(bob->take().at(0).at("room").at("archived"), true);
  audit_log audit(handle());
  const auto entries = audit.recent(5);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].action, "archive_room");
  EXPECT_EQ(entries[0].detail, "#general");
}

TEST_F(chat_rooms_test, ARoomMayBeRenamedToAnotherSpellingOfItsOwnName) {
  const auto alice = connect(alice_);
  const auto room = create_private(alice, "design");
  alice->take();
  receive(alice, {{"type", "rename_room"}, {"room", room}, {"name", "DESIGN"}});
  settle();
  ASSERT_EQ(alice->types(), (types{"room"}));
  EXPECT_EQ(alice->frames[0].at("room").at("name"), "DESIGN");
  alice->take();
  receive(alice,
          {{"type", "create_room"}, {"kind", "open"}, {"name", "Design"}, {"client_id", "x"}});
  settle();
  EXPECT_EQ(alice->take().at(0).at("code"), "name_taken");
}

TEST_F(chat_rooms_test, AnArchivedRoomIsReadOnlyButStillListedReadAndMarked) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  const auto room = create_private(alice, "old", {"bob"});
  const auto id = post(alice, "last words", room);
  receive(alice, {{"type", "archive_room"}, {"room", room}, {"archived", true}});
  settle();
  forget_frames();

  receive(bob, {{"type", "history"}, {"room", room}});
  receive(bob, {{"type", "seen"}, {"room", room}, {"id", id}});
  settle();
  ASSERT_EQ(bob->types(), (types{"history", "read", "receipt"}));
  EXPECT_EQ(ids_of(bob->frames[0].at("messages")), (std::vector<std::int64_t>{id}));
  const auto again = connect(bob_);
  bool listed = false;
  for (const auto& r : again->frames.at(0).at("rooms")) {
    if (r.at("id") != room) continue;
    listed = true;
    EXPECT_EQ(r.at("archived"), true);
    EXPECT_EQ(r.at("marker"), id);
  }
  EXPECT_TRUE(listed);
}

}  // namespace
}  // namespace chatterbox
