// The chat store's writes, on SQLite and on PostgreSQL alike (support/chat_store_fixture.hpp).

#include "support/chat_store_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace chatterbox {
namespace {

class chat_store_writes_test : public test_support::chat_store_test {};

TEST_P(chat_store_writes_test, SendsTakeTheNextSeqAndAResendIsTheFirstMessage) {
  const auto first = send(alice, general, "c1");
  ASSERT_EQ(refusal(first), "stored");
  EXPECT_FALSE(first.change.duplicate);
  EXPECT_EQ(first.change.changed.id, 1);
  EXPECT_EQ(first.change.changed.seq, 1);
  EXPECT_EQ(first.change.changed.room, general);
  EXPECT_EQ(first.change.changed.user, "alice");
  EXPECT_EQ(first.change.changed.text, "text of c1");
  EXPECT_GT(first.change.changed.ts, 0);

  const auto again = send(alice, general, "c1");
  ASSERT_EQ(refusal(again), "stored");
  EXPECT_TRUE(again.change.duplicate);
  EXPECT_EQ(again.change.changed.id, 1);
  EXPECT_EQ(again.change.changed.ts, first.change.changed.ts);

  // The same client_id from someone else is their own message.
  const auto bobs = send(bob, general, "c1");
  EXPECT_FALSE(bobs.change.duplicate);
  EXPECT_EQ(bobs.change.changed.seq, 2);
  EXPECT_EQ(count("SELECT count(*) FROM messages"), "2");
}

TEST_P(chat_store_writes_test, RefusedSendsTakeNoSeq) {
  EXPECT_EQ(refusal(send(carol, ops, "a")), "not_found: no such room");
  EXPECT_EQ(refusal(send(alice, 99, "b")), "not_found: no such room");
  EXPECT_EQ(refusal(send(alice, old, "c")), "forbidden: the room is archived");
  EXPECT_EQ(refusal(send(alice, general, "d", 42)), "not_found: no such message");
  EXPECT_EQ(refusal(send(alice, general, "e", std::nullopt, 42)), "not_found: no such file");
  EXPECT_EQ(send(bob, ops, "f").change.changed.seq, 1);
  EXPECT_EQ(count("SELECT count(*) FROM messages"), "1");
}

TEST_P(chat_store_writes_test, MentionsAreStoredWithTheMessageAndReplacedByAnEdit) {
  const auto sent =
      send(alice, general, "m", std::nullopt, std::nullopt, {{"bob", "here"}, {bob, carol}});
  ASSERT_EQ(refusal(sent), "stored");
  EXPECT_EQ(sent.change.changed.mentions, (std::vector<std::string>{"bob", "here"}));
  EXPECT_EQ(count("SELECT count(*) FROM mentions"), "2");

  const auto edited = edit(alice, sent.change.changed.id, "now for carol", {{"carol"}, {carol}});
  ASSERT_EQ(refusal(edited), "stored");
  EXPECT_EQ(edited.change.changed.seq, 2);
  EXPECT_EQ(edited.change.changed.text, "now for carol");
  EXPECT_EQ(edited.change.changed.mentions, std::vector<std::string>{"carol"});
  EXPECT_EQ(count("SELECT count(*) FROM mentions"), "1");
  EXPECT_EQ(count("SELECT user_id FROM mentions"), "3");
  EXPECT_EQ(count("SELECT text FROM messages"), "now for carol");
}

TEST_P(chat_store_writes_test, OnlyTheAuthorEditsAndNobodyEditsWhatTheyCannotSee) {
  const auto id = send(bob, ops, "p").change.changed.id;
  EXPECT_EQ(refusal(edit(alice, id, "x")), "forbidden: only the author can edit a message");
  EXPECT_EQ(refusal(edit(carol, id, "x")), "not_found: no such message");
  EXPECT_EQ(refusal(edit(bob, 99, "x")), "not_found: no such message");
  ASSERT_EQ(refusal(remove(bob, id)), "stored");
  EXPECT_EQ(refusal(edit(bob, id, "x")), "forbidden: the message is deleted");
  EXPECT_EQ(send(bob, ops, "q").change.changed.seq, 3);  // send 1, delete 2
}

TEST_P(chat_store_writes_test, RepliesQuoteTheirOriginalAndCountOnIt) {
  const auto original = send(alice, general, "o").change.changed;
  const auto reply = send(bob, general, "r", original.id);
  ASSERT_EQ(refusal(reply), "stored");
  ASSERT_TRUE(reply.change.changed.reply_to);
  EXPECT_EQ(reply.change.changed.reply_to->id, original.id);
  EXPECT_EQ(reply.change.changed.reply_to->user, "alice");
  EXPECT_EQ(reply.change.changed.reply_to->text, "text of o");
  EXPECT_EQ(reply.change.changed.seq, 2);
  ASSERT_TRUE(reply.change.original);
  EXPECT_EQ(reply.change.original->id, original.id);
  EXPECT_EQ(reply.change.original->seq, 3);
  EXPECT_EQ(reply.change.original->count, 1);

  // A reply only in the original's room, and not to a deleted message.
  const auto elsewhere = send(bob, ops, "elsewhere").change.changed;
  EXPECT_EQ(refusal(send(bob, general, "r2", elsewhere.id)), "not_found: no such message");

  const auto removed = remove(bob, reply.change.changed.id);
  ASSERT_EQ(refusal(removed), "stored");
  EXPECT_EQ(removed.change.changed.seq, 5);
  ASSERT_TRUE(removed.change.original);
  EXPECT_EQ(removed.change.original->seq, 6);
  EXPECT_EQ(removed.change.original->count, 0);

  ASSERT_EQ(refusal(remove(alice, original.id)), "stored");
  EXPECT_EQ(refusal(send(bob, general, "r3", original.id)), "forbidden: the message is deleted");
}

TEST_P(chat_store_writes_test, AdministratorsDeleteOthersMessagesAndAreAudited) {
  const auto id = send(bob, general, "b").change.changed.id;
  EXPECT_EQ(refusal(remove(carol, id)), "forbidden: only the author can delete a message");
  const auto removed = remove(alice, id);
  ASSERT_EQ(refusal(removed), "stored");
  EXPECT_TRUE(removed.change.changed.deleted);
  EXPECT_EQ(removed.change.changed.room, general);
  EXPECT_EQ(count("SELECT detail FROM admin_audit WHERE action = 'delete_message'"),
            "message 1 in #general");
  EXPECT_EQ(refusal(remove(alice, id)), "forbidden: the message is deleted");
  EXPECT_EQ(refusal(remove(alice, id, true)), "already_deleted: the message is deleted");
  EXPECT_EQ(count("SELECT text FROM messages"), "");
}

TEST_P(chat_store_writes_test, AResendIsAcknowledgedAfterTheSenderLeftTheRoom) {
  const auto first = send(bob, ops, "before");
  harness_->exec("DELETE FROM room_members WHERE room_id = 2 AND user_id = 2");
  rooms_.remove_member(*rooms_.find(ops), bob);
  const auto again = send(bob, ops, "before");
  ASSERT_EQ(refusal(again), "stored");
  EXPECT_TRUE(again.change.duplicate);
  EXPECT_EQ(again.change.changed.id, first.change.changed.id);
  EXPECT_EQ(refusal(send(bob, ops, "after")), "not_found: no such room");
}

TEST_P(chat_store_writes_test, ReactionsCountPeopleAndTakeASeqOnlyWhenTheyChange) {
  const auto id = send(alice, general, "m").change.changed.id;
  auto on = react(bob, id, "👍", true);
  ASSERT_EQ(refusal(on), "stored");
  EXPECT_TRUE(on.second.changed);
  EXPECT_EQ(on.second.seq, 2);
  EXPECT_EQ(on.second.room, general);
  EXPECT_EQ(on.second.count, 1);
  EXPECT_EQ(react(carol, id, "👍", true).second.count, 2);

  const auto same = react(bob, id, "👍", true);
  ASSERT_EQ(refusal(same), "stored");
  EXPECT_FALSE(same.second.changed);

  const auto off = react(bob, id, "👍", false);
  EXPECT_EQ(off.second.seq, 4);
  EXPECT_EQ(off.second.count, 1);
  EXPECT_EQ(count("SELECT seq FROM messages"), "4");  // sync brings the message again

  for (int i = 1; i < max_reaction_emoji; ++i) {
    ASSERT_TRUE(react(alice, id, "e" + std::to_string(i), true).second.changed);
  }
  EXPECT_EQ(refusal(react(alice, id, "one too many", true)),
            "forbidden: a message has at most 20 different reactions");
  EXPECT_EQ(react(alice, id, "👍", true).second.count, 2);  // an emoji already there

  EXPECT_EQ(refusal(react(carol, send(bob, ops, "p").change.changed.id, "x", true)),
            "not_found: no such message");
  ASSERT_EQ(refusal(remove(alice, id)), "stored");
  EXPECT_EQ(refusal(react(bob, id, "x", true)), "forbidden: the message is deleted");
  EXPECT_EQ(count("SELECT count(*) FROM reactions"), "0");
}

TEST_P(chat_store_writes_test, AFileGoesWithOneMessageAndItsBytesAreReleasedWithIt) {
  harness_->exec(
      "INSERT INTO files (sha256, user_id, room_id, name, size, type, width, height, created_at) "
      "VALUES ('abc', 2, 1, 'cat.png', 10, 'image/png', 4, 3, 0), "
      "('abc', 2, 1, 'same-cat.png', 10, 'image/png', 4, 3, 0)");
  EXPECT_EQ(refusal(send(carol, general, "not hers", std::nullopt, 1)), "not_found: no such file");
  EXPECT_EQ(refusal(send(bob, ops, "other room", std::nullopt, 1)), "not_found: no such file");
  const auto sent = send(bob, general, "cat", std::nullopt, 1);
  ASSERT_EQ(refusal(sent), "stored");
  ASSERT_TRUE(sent.change.changed.file);
  EXPECT_EQ(sent.change.changed.file->name, "cat.png");
  EXPECT_EQ(sent.change.changed.file->width, 4);
  EXPECT_EQ(refusal(send(bob, general, "again", std::nullopt, 1)),
            "forbidden: the file is already attached");
  EXPECT_EQ(send(bob, general, "cat", std::nullopt, 1).change.duplicate, true);

  const auto second = send(bob, general, "same bytes", std::nullopt, 2).change.changed;
  const auto removed = remove(bob, sent.change.changed.id);
  ASSERT_EQ(refusal(removed), "stored");
  EXPECT_FALSE(removed.change.released_blob);  // the other upload has the same bytes
  EXPECT_EQ(remove(bob, second.id).change.released_blob, "abc");
  EXPECT_EQ(count("SELECT count(*) FROM files"), "0");
}

TEST_P(chat_store_writes_test, ARoomNameIsTakenOnceWhateverItsCase) {
  const auto team = create({alice, "private", "team", "", {alice, carol}, "c1"});
  ASSERT_EQ(refusal(team), "stored");
  EXPECT_EQ(team.second.room_id, 4);
  EXPECT_EQ(team.second.seq, 1);
  EXPECT_EQ(count("SELECT count(*) FROM room_members WHERE room_id = 4"), "2");
  const auto again = create({bob, "open", "Team", "", {}, "c2"});
  EXPECT_EQ(refusal(again), "name_taken: a room with that name exists");
  EXPECT_EQ(again.second.refused->ref, "c2");

  const auto lobby = create({bob, "open", "lobby", "", {}, "c3"});
  EXPECT_EQ(lobby.second.seq, 2);
  EXPECT_EQ(count("SELECT count(*) FROM room_members WHERE room_id = " +
                  std::to_string(lobby.second.room_id)),
            "3");  // everyone

  const auto renamed = wait_for_answer<room_change>(
      [&](auto then) { harness_->store().rename_room(4, "ops", std::move(then)); });
  EXPECT_EQ(refusal(renamed), "name_taken: a room with that name exists");
  const auto renamed_free = wait_for_answer<room_change>(
      [&](auto then) { harness_->store().rename_room(4, "crew", std::move(then)); });
  ASSERT_EQ(refusal(renamed_free), "stored");
  EXPECT_EQ(renamed_free.second.seq, 3);
  EXPECT_EQ(count("SELECT name FROM rooms WHERE id = 4"), "crew");
}

TEST_P(chat_store_writes_test, ADirectMessageBetweenTheSamePeopleIsOpenedOnce) {
  const auto dm = create({alice, "dm", "", "1,2", {alice, bob}, "d1"});
  ASSERT_EQ(refusal(dm), "stored");
  EXPECT_EQ(dm.second.seq, 1);
  const auto again = create({bob, "dm", "", "1,2", {alice, bob}, "d2"});
  ASSERT_EQ(refusal(again), "stored");
  EXPECT_EQ(again.second.seq, 0);  // nothing new: the node finds it in its directory
  EXPECT_EQ(count("SELECT count(*) FROM rooms WHERE kind = 'dm'"), "1");
}

TEST_P(chat_store_writes_test, MembersComeWithTheirHistoryReadAndLeaveTheirMarkersBehind) {
  const auto m1 = send(alice, ops, "m1").change.changed.id;
  const auto m2 = send(alice, ops, "m2").change.changed.id;
  const auto added = wait_for_answer<room_change>(
      [&](auto then) { harness_->store().add_members(ops, {carol}, m2, std::move(then)); });
  ASSERT_EQ(refusal(added), "stored");
  EXPECT_EQ(added.second.seq, 3);
  EXPECT_EQ(count("SELECT marker FROM room_members WHERE room_id = 2 AND user_id = 3"),
            std::to_string(m2));

  EXPECT_EQ(seen(ops, bob, m1).second.moved, true);
  const auto back = seen(ops, bob, m1);
  EXPECT_TRUE(back.second.exists);
  EXPECT_FALSE(back.second.moved);                     // only forward
  EXPECT_FALSE(seen(general, bob, m1).second.exists);  // not that room's

  const auto carol_gone = remove_member(ops, carol);
  ASSERT_EQ(refusal(carol_gone), "stored");
  EXPECT_EQ(carol_gone.second.seq, 4);  // markers take no seq
  EXPECT_FALSE(carol_gone.second.archived);
  ASSERT_EQ(carol_gone.second.readers.size(), 1u);  // alice never read
  EXPECT_EQ(carol_gone.second.readers[0].user_id, bob);
  EXPECT_EQ(carol_gone.second.readers[0].marker, m1);
  EXPECT_EQ(refusal(remove_member(ops, carol)), "not_found: no such member");

  EXPECT_FALSE(remove_member(ops, bob).second.archived);
  const auto last = remove_member(ops, alice);
  EXPECT_TRUE(last.second.archived);  // read-only, not deleted: nothing is lost
  EXPECT_EQ(last.second.seq, 6);
  EXPECT_EQ(count("SELECT count(*) FROM room_departures WHERE room_id = 2"), "3");
}

TEST_P(chat_store_writes_test, ArchivingSomeoneElsesRoomIsAudited) {
  const auto own = wait_for_answer<room_change>(
      [&](auto then) { harness_->store().archive_room(ops, true, alice, std::move(then)); });
  ASSERT_EQ(refusal(own), "stored");
  EXPECT_EQ(own.second.seq, 1);
  EXPECT_EQ(count("SELECT count(*) FROM admin_audit"), "0");
  rooms_.find(ops)->archived = true;  // as the node does once it is committed
  const auto moderated = wait_for_answer<room_change>(
      [&](auto then) { harness_->store().archive_room(general, true, alice, std::move(then)); });
  ASSERT_EQ(refusal(moderated), "stored");
  EXPECT_EQ(count("SELECT detail FROM admin_audit WHERE action = 'archive_room'"), "#general");
  rooms_.find(general)->archived = true;  // as the node does once it is committed
  EXPECT_EQ(refusal(send(bob, general, "late")), "forbidden: the room is archived");
  const auto none = wait_for_answer<room_change>(
      [&](auto then) { harness_->store().archive_room(99, true, alice, std::move(then)); });
  EXPECT_EQ(refusal(none), "not_found: no such room");
  EXPECT_EQ(refusal(send(bob, ops, "late")), "forbidden: the room is archived");
  EXPECT_EQ(create({bob, "open", "next", "", {}, "c"}).second.seq, 3);
}

TEST_P(chat_store_writes_test, ANotificationLevelIsKeptPerMemberAndRoom) {
  const auto set = wait_for_answer<nothing_to_say>(
      [&](auto then) { harness_->store().set_notify(general, bob, "none", std::move(then)); });
  EXPECT_TRUE(set.first);
  EXPECT_EQ(count("SELECT notify FROM room_members WHERE room_id = 1 AND user_id = 2"), "none");
  EXPECT_EQ(count("SELECT count(*) FROM room_members WHERE notify IS NOT NULL"), "1");
}

INSTANTIATE_TEST_SUITE_P(Stores, chat_store_writes_test, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace chatterbox
