// chat_service: signals — typing (per room, ended by sending, closing or a timeout) and seen
// (read to the user's connections, receipts to the room), and their rate.

#include "support/chat_fixture.hpp"

#include <chrono>

namespace chatterbox {
namespace {

using namespace std::chrono_literals;
using namespace test_support;

using chat_signals_test = chat_fixture;

// --- typing ---

TEST_F(chat_signals_test, TypingGoesToEveryTabOfOtherUsersOnly) {
  const auto alice = connect(alice_);
  const auto alice_tab2 = connect(alice_);
  const auto bob1 = connect(bob_);
  const auto bob2 = connect(bob_);
  forget_frames();

  receive(alice, {{"type", "typing"}, {"room", general}, {"active", true}});
  const auto expected = frame_of(R"({"type":"typing","room":1,"user":"alice","active":true})");
  EXPECT_EQ(bob1->frames, (std::vector<json>{expected}));
  EXPECT_EQ(bob2->frames, (std::vector<json>{expected}));
  EXPECT_TRUE(alice->frames.empty());
  EXPECT_TRUE(alice_tab2->frames.empty());
}

TEST_F(chat_signals_test, SendingEndsTheSendersTypingInThatRoomBeforeTheMessage) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  const auto room = create_private(alice, "design", {"bob"});
  receive(alice, {{"type", "typing"}, {"room", general}, {"active", true}});
  receive(alice, {{"type", "typing"}, {"room", room}, {"active", true}});
  forget_frames();

  receive(alice, send("c-1", "done typing"));
  settle();
  ASSERT_EQ(bob->types(), (types{"typing", "message"}));
  EXPECT_EQ(bob->frames[0],
            frame_of(R"({"type":"typing","room":1,"user":"alice","active":false})"));
  EXPECT_EQ(alice->types(), (types{"ack", "message"}));
  // Still typing in the other room, until it expires.
  bob->take();
  run_until([&] { return !bob->frames.empty(); }, 2s);
  EXPECT_EQ(bob->frames,
            (std::vector<json>{
                json{{"type", "typing"}, {"room", room}, {"user", "alice"}, {"active", false}}}));
}

TEST_F(chat_signals_test, ClosingTheTypingTabEndsTyping) {
  const auto bob = connect(bob_);
  auto alice = make_peer(alice_);
  service_->connect(alice);
  receive(alice, {{"type", "typing"}, {"room", general}, {"active", true}});
  bob->take();

  service_->disconnect(*alice);
  settle();
  EXPECT_EQ(
      bob->take(),
      (std::vector<json>{frame_of(R"({"type":"typing","room":1,"user":"alice","active":false})")}));
}

TEST_F(chat_signals_test, TypingExpiresWithoutRefresh) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  receive(alice, {{"type", "typing"}, {"room", general}, {"active", true}});
  forget_frames();

  run_until([&] { return !bob->frames.empty(); }, 2s);
  EXPECT_EQ(
      bob->frames,
      (std::vector<json>{frame_of(R"({"type":"typing","room":1,"user":"alice","active":false})")}));
}

TEST_F(chat_signals_test, TypingInAnArchivedRoomIsIgnored) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  const auto room = create_private(alice, "old", {"bob"});
  receive(alice, {{"type", "archive_room"}, {"room", room}, {"archived", true}});
  settle();
  forget_frames();
  receive(alice, {{"type", "typing"}, {"room", room}, {"active", true}});
  settle();
  EXPECT_TRUE(bob->frames.empty());
  EXPECT_TRUE(alice->frames.empty());
}

// --- seen: read to the user's connections, receipt to the room ---

TEST_F(chat_signals_test, SeenSendsReadToTheUserAndAReceiptOnlyWhenTheMarkerMoves) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  const auto bob_tab2 = connect(bob_);
  const auto carol = connect(carol_);
  post_many(alice, 3);
  forget_frames();

  receive(bob, {{"type", "seen"}, {"room", general}, {"id", 2}});
  settle();
  const auto read = frame_of(R"({"type":"read","room":1,"id":2,"unread":1,"mentions":0})");
  const auto receipt = frame_of(R"({"type":"receipt","room":1,"user":"bob","id":2})");
  EXPECT_EQ(bob->take(), (std::vector<json>{read, receipt}));
  EXPECT_EQ(bob_tab2->take(), (std::vector<json>{read, receipt}));  // other tabs clear badges
  EXPECT_EQ(alice->take(), (std::vector<json>{receipt}));
  EXPECT_EQ(carol->take(), (std::vector<json>{receipt}));

  receive(bob, {{"type", "seen"}, {"room", general}, {"id", 2}});  // same
  receive(bob, {{"type", "seen"}, {"room", general}, {"id", 1}});  // backwards
  settle();
  for (const auto& peer : {alice, bob, bob_tab2, carol}) EXPECT_TRUE(peer->frames.empty());
  const auto mine = rooms_->memberships_of(bob_);
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].marker, 2);

  receive(bob, {{"type", "seen"}, {"room", general}, {"id", 3}});
  settle();
  EXPECT_EQ(alice->take(),
            (std::vector<json>{frame_of(R"({"type":"receipt","room":1,"user":"bob","id":3})")}));
  EXPECT_EQ(bob->take().at(0),
            frame_of(R"({"type":"read","room":1,"id":3,"unread":0,"mentions":0})"));
}

TEST_F(chat_signals_test, ReceiptsOnlyForTheTwoFurthestMarkers) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  const auto carol = connect(carol_);
  const auto dave = connect(dave_);
  post_many(alice, 5);
  receive(bob, {{"type", "seen"}, {"room", general}, {"id", 5}});
  receive(carol, {{"type", "seen"}, {"room", general}, {"id", 4}});
  settle();
  forget_frames();

  // Dave's marker is behind both: his tabs get `read`, nobody a receipt.
  receive(dave, {{"type", "seen"}, {"room", general}, {"id", 3}});
  settle();
  EXPECT_EQ(dave->types(), (types{"read"}));
  EXPECT_TRUE(alice->frames.empty());
  EXPECT_TRUE(bob->frames.empty());
  forget_frames();

  // Alice catches up with carol's 4 and passes it: now one of the two furthest.
  receive(alice, {{"type", "seen"}, {"room", general}, {"id", 5}});
  settle();
  EXPECT_EQ(bob->of_type("receipt"),
            (std::vector<json>{frame_of(R"({"type":"receipt","room":1,"user":"alice","id":5})")}));
  // Anyone who connects now sees the furthest marker of anyone else.
  const auto bob2 = connect(bob_);
  EXPECT_EQ(bob2->frames.at(0).at("rooms")[0].at("others_read"), 5);  // alice's
  const auto carol2 = connect(carol_);
  EXPECT_EQ(carol2->frames.at(0).at("rooms")[0].at("others_read"), 5);
}

TEST_F(chat_signals_test, SeenOfUnknownMessageOrOneOfAnotherRoomIsNotFound) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  post_many(alice, 1);
  const auto room = create_private(bob, "bobs");
  const auto elsewhere = post(bob, "not in general", room);
  forget_frames();

  receive(bob, {{"type", "seen"}, {"room", general}, {"id", 50}});
  receive(bob, {{"type", "seen"}, {"room", general}, {"id", elsewhere}});
  settle();
  ASSERT_EQ(bob->types(), (types{"error", "error"}));
  EXPECT_EQ(bob->frames[0].at("code"), "not_found");
  EXPECT_EQ(bob->frames[0].at("ref"), 50);
  EXPECT_EQ(bob->frames[1].at("code"), "not_found");
  EXPECT_EQ(bob->frames[1].at("ref"), elsewhere);
  EXPECT_TRUE(alice->frames.empty());
  EXPECT_EQ(rooms_->memberships_of(bob_).at(0).marker, 0);
}

// --- the signal rate ---

TEST_F(chat_signals_test, TypingAndSeenOverTheirRateAreDroppedSilentlyButStoppingNever) {
  auto limits = generous_limits();
  limits.signal_rate = 1;
  limits.signal_burst = 2;
  reconfigure(limits);
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  post_many(bob, 3);
  forget_frames();
  for (int i = 0; i < 5; ++i) {
    receive(alice, {{"type", "typing"}, {"room", general}, {"active", true}});
  }
  receive(alice, {{"type", "seen"}, {"room", general}, {"id", 2}});
  receive(alice, {{"type", "typing"}, {"room", general}, {"active", false}});
  settle();
  EXPECT_TRUE(alice->frames.empty());  // no error: dropped
  ASSERT_EQ(bob->types(), (types{"typing", "typing", "typing"}));
  EXPECT_EQ(bob->frames[2].at("active"), false);  // a "stopped typing" always passes
  EXPECT_EQ(rooms_->memberships_of(alice_).at(0).marker, 0);
  // Others have their own budget.
  receive(bob, {{"type", "typing"}, {"room", general}, {"active", true}});
  EXPECT_EQ(alice->types(), (types{"typing"}));
}

}  // namespace
}  // namespace chatterbox
