// chat_service: connecting, and what is said in a room — send, edit, delete; peers gone
// before their commit; stopping.

#include "support/chat_fixture.hpp"

#include <chrono>

namespace chatterbox {
namespace {

using namespace std::chrono_literals;
using namespace test_support;

using chat_messages_test = chat_fixture;

// --- connect ---

TEST_F(chat_messages_test, ConnectSendsOnlyHelloWithTheUsersRooms) {
  const auto alice = connect(alice_);
  ASSERT_EQ(alice->types(), (types{"hello"}));
  EXPECT_EQ(alice->frames[0], frame_of(R"({"type":"hello","user":"alice","seq":0,"protocol":2,
    "rooms":[{"id":1,"kind":"open","name":"general","archived":false,"seq":0,"creator":null,
              "member_count":4,"last_id":0,"marker":0,"unread":0,"mentions":0,
              "others_read":0,"notify":"mentions"}]})"));
}

TEST_F(chat_messages_test, ConnectingAnnouncesNothingToOthers) {
  const auto alice = connect(alice_);
  alice->take();
  const auto bob1 = connect(bob_);
  const auto bob2 = connect(bob_);
  EXPECT_EQ(bob1->types(), (types{"hello"}));
  EXPECT_EQ(bob2->types(), (types{"hello"}));
  settle();
  EXPECT_TRUE(alice->frames.empty());  // presence goes only to who watches bob
  EXPECT_EQ(connections_.online_users(), (std::vector<std::string>{"alice", "bob"}));
}

TEST_F(chat_messages_test, HelloCarriesTheCurrentSeqAndTheRoomsUnreadStateAndReceipts) {
  const auto alice = connect(alice_);
  post_many(alice, 3);
  receive(alice, {{"type", "seen"}, {"room", general}, {"id", 2}});
  settle();

  const auto bob = connect(bob_);
  const auto& hello = bob->frames.at(0);
  EXPECT_EQ(hello.at("seq"), 3);
  ASSERT_EQ(hello.at("rooms").size(), 1u);
  const auto& room = hello.at("rooms")[0];
  EXPECT_EQ(room.at("last_id"), 3);
  EXPECT_EQ(room.at("marker"), 0);
  EXPECT_EQ(room.at("unread"), 3);
  EXPECT_EQ(room.at("mentions"), 0);
  EXPECT_EQ(room.at("others_read"), 2);  // alice's marker

  const auto alice2 = connect(alice_);
  const auto& own = alice2->frames.at(0).at("rooms")[0];
  EXPECT_EQ(own.at("marker"), 2);
  EXPECT_EQ(own.at("unread"), 0);       // her own messages never count
  EXPECT_EQ(own.at("others_read"), 0);  // nobody else has read anything
}

// --- send ---

TEST_F(chat_messages_test, SendAcksTheSenderThenBroadcastsTheMessage) {
  const auto alice = connect(alice_);
  const auto alice_tab2 = connect(alice_);
  const auto bob = connect(bob_);
  forget_frames();

  receive(alice, send("c-1", "  hi\nthere  "));
  // Committed before anything is sent.
  EXPECT_TRUE(alice->frames.empty());
  EXPECT_TRUE(bob->frames.empty());
  settle();

  ASSERT_EQ(alice->types(), (types{"ack", "message"}));
  const auto& ack = alice->frames[0];
  const auto& message = alice->frames[1];
  EXPECT_EQ(ack.at("client_id"), "c-1");
  EXPECT_EQ(ack.at("room"), general);
  EXPECT_EQ(ack.at("id"), message.at("id"));
  EXPECT_EQ(ack.at("ts"), message.at("ts"));
  EXPECT_EQ(message.at("room"), general);
  EXPECT_EQ(message.at("user"), "alice");
  EXPECT_EQ(message.at("text"), "hi\nthere");  // trimmed
  EXPECT_EQ(message.at("seq"), 1);
  EXPECT_EQ(message.at("edited"), false);
  EXPECT_EQ(message.at("deleted"), false);
  EXPECT_FALSE(message.contains("mentions"));

  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  EXPECT_NEAR(static_cast<double>(message.at("ts").get<std::int64_t>()), static_cast<double>(now),
              60'000.0);

  // Other tabs of the sender and other users get the message only.
  EXPECT_EQ(alice_tab2->frames, (std::vector<json>{message}));
  EXPECT_EQ(bob->frames, (std::vector<json>{message}));
  EXPECT_EQ(service_->current_seq(), 1);

  const auto stored = messages_->find(message.at("id").get<std::int64_t>());
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->text, "hi\nthere");
  EXPECT_EQ(stored->room, general);
}

TEST_F(chat_messages_test, DuplicateClientIdGetsTheSameAckAndNoSecondMessage) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  const auto room = create_private(alice, "design", {"bob"});
  forget_frames();

  receive(alice, send("c-1", "hi"));
  settle();
  const auto first_ack = alice->frames.at(0);
  forget_frames();

  receive(alice, send("c-1", "hi again"));
  receive(alice, send("c-1", "in another room", room));  // client ids are per user, across rooms
  settle();
  EXPECT_EQ(alice->frames, (std::vector<json>{first_ack, first_ack}));
  EXPECT_TRUE(bob->frames.empty());
  EXPECT_EQ(messages_->page_before(general, std::nullopt, 10).size(), 1u);
  EXPECT_TRUE(messages_->page_before(room, std::nullopt, 10).empty());
}

TEST_F(chat_messages_test, DuplicateClientIdWithinOneBatchStoresOnce) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  forget_frames();

  receive(alice, send("c-1", "hi"));
  receive(alice, send("c-1", "hi"));
  settle();
  ASSERT_EQ(alice->types(), (types{"ack", "message", "ack"}));
  EXPECT_EQ(alice->frames[0], alice->frames[2]);
  EXPECT_EQ(bob->types(), (types{"message"}));
}

TEST_F(chat_messages_test, ClientIdsArePerUser) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  forget_frames();
  receive(alice, send("same", "from alice"));
  receive(bob, send("same", "from bob"));
  settle();
  EXPECT_EQ(alice->types(), (types{"ack", "message", "message"}));
  EXPECT_EQ(bob->types(), (types{"message", "ack", "message"}));
  EXPECT_NE(alice->frames[0].at("id"), bob->frames[1].at("id"));
}

TEST_F(chat_messages_test, InvalidFramesAreAnsweredWithAnErrorToTheSenderOnly) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  forget_frames();

  service_->receive(alice, "not json");
  receive(alice, send("c-7", "   "));
  receive(alice, {{"type", "dance"}});
  settle();
  ASSERT_EQ(alice->types(), (types{"error", "error", "error"}));
  EXPECT_EQ(alice->frames[0].at("code"), "invalid_json");
  EXPECT_TRUE(alice->frames[0].at("ref").is_null());
  EXPECT_EQ(alice->frames[1].at("code"), "text_empty");
  EXPECT_EQ(alice->frames[1].at("ref"), "c-7");
  EXPECT_EQ(alice->frames[2].at("code"), "unknown_type");
  EXPECT_TRUE(bob->frames.empty());
  EXPECT_EQ(service_->current_seq(), 0);
}

TEST_F(chat_messages_test, ControlCharactersAreRefusedAndWindowsLineBreaksStoredAsNewlines) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  forget_frames();

  receive(alice, send("c-8", "ring\a"));
  settle();
  ASSERT_EQ(alice->types(), (types{"error"}));
  EXPECT_EQ(alice->frames[0].at("code"), "invalid_field");
  EXPECT_EQ(alice->frames[0].at("ref"), "c-8");
  EXPECT_TRUE(bob->frames.empty());
  EXPECT_EQ(service_->current_seq(), 0);

  forget_frames();
  receive(alice, send("c-9", "line 1\r\nline 2\r"));
  settle();
  ASSERT_EQ(bob->types(), (types{"message"}));
  EXPECT_EQ(bob->frames[0].at("text"), "line 1\nline 2");
}

TEST_F(chat_messages_test, SendToAnArchivedRoomIsForbiddenAndStoresNothing) {
  const auto alice = connect(alice_);
  const auto room = create_private(alice, "old");
  receive(alice, {{"type", "archive_room"}, {"room", room}, {"archived", true}});
  settle();
  forget_frames();
  const auto seq = service_->current_seq();

  receive(alice, send("c-1", "hello?", room));
  settle();
  ASSERT_EQ(alice->types(), (types{"error"}));
  EXPECT_EQ(alice->frames[0].at("code"), "forbidden");
  EXPECT_EQ(alice->frames[0].at("ref"), "c-1");
  EXPECT_EQ(service_->current_seq(), seq);
  EXPECT_FALSE(messages_->find_by_client_id(alice_, "c-1").has_value());
}

// --- edit / delete ---

TEST_F(chat_messages_test, AuthorEditsAndEveryoneIsTold) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  post_many(alice, 1);
  forget_frames();

  receive(alice, {{"type", "edit"}, {"id", 1}, {"text", " fixed "}});
  settle();
  const auto expected =
      frame_of(R"({"type":"edited","room":1,"id":1,"seq":2,"text":"fixed","mentions":[]})");
  EXPECT_EQ(alice->frames, (std::vector<json>{expected}));
  EXPECT_EQ(bob->frames, (std::vector<json>{expected}));
  EXPECT_EQ(messages_->find(1)->text, "fixed");
  EXPECT_TRUE(messages_->find(1)->edited);
}

TEST_F(chat_messages_test, EditOrDeleteByNonAuthorIsForbidden) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  post_many(alice, 1);
  forget_frames();

  receive(bob, {{"type", "edit"}, {"id", 1}, {"text", "hacked"}});
  receive(bob, {{"type", "delete"}, {"id", 1}});
  settle();
  ASSERT_EQ(bob->types(), (types{"error", "error"}));
  for (const auto& error : bob->frames) {
    EXPECT_EQ(error.at("code"), "forbidden");
    EXPECT_EQ(error.at("ref"), 1);
  }
  EXPECT_TRUE(alice->frames.empty());
  EXPECT_EQ(messages_->find(1)->text, "message 1");
  EXPECT_FALSE(messages_->find(1)->deleted);
  EXPECT_EQ(service_->current_seq(), 1);
}

TEST_F(chat_messages_test, DeleteLeavesATombstoneThatCannotBeEditedOrDeletedAgain) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  post_many(alice, 1);
  forget_frames();

  receive(alice, {{"type", "delete"}, {"id", 1}});
  settle();
  const auto expected = frame_of(R"({"type":"deleted","room":1,"id":1,"seq":2})");
  EXPECT_EQ(alice->take(), (std::vector<json>{expected}));
  EXPECT_EQ(bob->take(), (std::vector<json>{expected}));

  receive(alice, {{"type", "edit"}, {"id", 1}, {"text", "back"}});
  receive(alice, {{"type", "delete"}, {"id", 1}});
  settle();
  ASSERT_EQ(alice->types(), (types{"error", "error"}));
  EXPECT_EQ(alice->frames[0].at("code"), "forbidden");
  EXPECT_EQ(alice->frames[1].at("code"), "forbidden");
  EXPECT_TRUE(bob->frames.empty());
  const auto tombstone = messages_->find(1);
  EXPECT_TRUE(tombstone->deleted);
  EXPECT_EQ(tombstone->text, "");
}

TEST_F(chat_messages_test, EditOrDeleteOfUnknownIdIsNotFound) {
  const auto alice = connect(alice_);
  forget_frames();
  receive(alice, {{"type", "edit"}, {"id", 99}, {"text", "x"}});
  receive(alice, {{"type", "delete"}, {"id", 98}});
  settle();
  ASSERT_EQ(alice->types(), (types{"error", "error"}));
  EXPECT_EQ(alice->frames[0].at("code"), "not_found");
  EXPECT_EQ(alice->frames[0].at("ref"), 99);
  EXPECT_EQ(alice->frames[1].at("code"), "not_found");
  EXPECT_EQ(alice->frames[1].at("ref"), 98);
}

TEST_F(chat_messages_test, EditOrDeleteInAnArchivedRoomIsForbidden) {
  const auto alice = connect(alice_);
  const auto room = create_private(alice, "old");
  const auto id = post(alice, "before archiving", room);
  receive(alice, {{"type", "archive_room"}, {"room", room}, {"archived", true}});
  settle();
  forget_frames();
  receive(alice, {{"type", "edit"}, {"id", id}, {"text", "after"}});
  receive(alice, {{"type", "delete"}, {"id", id}});
  settle();
  ASSERT_EQ(alice->types(), (types{"error", "error"}));
  EXPECT_EQ(alice->frames[0].at("code"), "forbidden");
  EXPECT_EQ(alice->frames[1].at("code"), "forbidden");
  EXPECT_EQ(messages_->find(id)->text, "before archiving");
}

// --- lifetime ---

TEST_F(chat_messages_test, PeerGoneBeforeItsCommitCompletesIsSkipped) {
  const auto bob = connect(bob_);
  auto alice = make_peer(alice_);
  service_->connect(alice);
  receive(alice, send("c-1", "last words"));
  service_->disconnect(*alice);
  std::weak_ptr<fake_peer> gone = alice;
  alice.reset();  // the session is destroyed before the batch commits
  ASSERT_TRUE(gone.expired());
  bob->take();

  ASSERT_NO_THROW(settle());
  // The message was still stored and delivered to those still connected; the ack was dropped.
  const auto frames = bob->take();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].at("type"), "message");
  EXPECT_EQ(frames[0].at("text"), "last words");
  EXPECT_EQ(messages_->page_before(general, std::nullopt, 10).size(), 1u);
}

TEST_F(chat_messages_test, PeerGoneBeforeEditOrSeenCommitsIsSkipped) {
  const auto bob = connect(bob_);
  auto alice = make_peer(alice_);
  service_->connect(alice);
  post_many(alice, 1);
  receive(alice, {{"type", "edit"}, {"id", 1}, {"text", "edited"}});
  receive(alice, {{"type", "edit"}, {"id", 77}, {"text", "nobody"}});  // error for a gone peer
  receive(alice, {{"type", "seen"}, {"room", general}, {"id", 1}});
  service_->disconnect(*alice);
  alice.reset();
  bob->take();

  ASSERT_NO_THROW(settle());
  EXPECT_EQ(bob->types(), (types{"edited", "receipt"}));
}

TEST_F(chat_messages_test, StopCancelsTypingAndPresenceTimersSoTheLoopCanFinish) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  receive(alice, {{"type", "typing"}, {"room", general}, {"active", true}});
  receive(bob, {{"type", "watch"}, {"users", {"carol"}}});
  connect(carol_);  // a presence change waiting for its batch
  service_->stop();
  const auto started = std::chrono::steady_clock::now();
  io_.restart();
  io_.run_for(5s);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
}

}  // namespace
}  // namespace chatterbox
