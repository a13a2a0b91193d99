// chat_service: room commands racing in one group commit, their rate, and what a departure
// does to the room's receipts.

#include "support/chat_fixture.hpp"

namespace chatterbox {
namespace {

using namespace test_support;

class chat_room_races_test : public chat_fixture {
 protected:
  // `others_read` of `room` in the hello of a fresh connection of `user`.
  std::int64_t others_read(std::int64_t user, std::int64_t room) {
    const auto peer = make_peer(user);
    service_->connect(peer);
    std::int64_t found = -1;
    for (const auto& r : peer->frames.at(0).at("rooms")) {
      if (r.at("id") == room) found = r.at("others_read").get<std::int64_t>();
    }
    service_->disconnect(*peer);
    return found;
  }
};

TEST_F(chat_room_races_test, TheLastMembersLeavingInOneBatchStillArchiveTheRoom) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  const auto room = create_private(alice, "pair", {"bob"});
  forget_frames();
  receive(alice, {{"type", "leave_room"}, {"room", room}});
  receive(bob, {{"type", "leave_room"}, {"room", room}});
  settle();
  EXPECT_EQ(alice->types(), (types{"room_removed"}));
  EXPECT_EQ(bob->types(), (types{"room", "room_removed"}));  // alice left while he was in it
  bool archived = false;
  for (const auto& r : rooms_->all_rooms()) {
    if (r.id == room) archived = r.archived;
  }
  EXPECT_TRUE(archived) << "a private room with no members left is archived";
}

TEST_F(chat_room_races_test, TwoRoomsCreatedWithOneNameInOneBatch) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  forget_frames();
  receive(alice, {{"type", "create_room"}, {"kind", "open"}, {"name", "race"}, {"client_id", "a"}});
  receive(bob,
          {{"type", "create_room"}, {"kind", "private"}, {"name", "RACE"}, {"client_id", "b"}});
  settle();
  ASSERT_EQ(bob->types(), (types{"room", "error"}));  // alice's open room, then his refusal
  EXPECT_EQ(bob->frames[1].at("code"), "name_taken");
  EXPECT_EQ(bob->frames[1].at("ref"), "b");
  EXPECT_EQ(alice->types(), (types{"room"}));
  EXPECT_EQ(rooms_->all_rooms().size(), 2u);
  // The seq the refused one would have taken was never reported: the next change follows on.
  const auto seq = service_->current_seq();
  post(alice, "next");
  EXPECT_EQ(alice->of_type("message").back().at("seq"), seq + 1);
}

TEST_F(chat_room_races_test, TheSameDmOpenedTwiceInOneBatchIsOneDm) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  forget_frames();
  receive(alice, {{"type", "open_dm"}, {"users", {"bob"}}, {"client_id", "a"}});
  receive(bob, {{"type", "open_dm"}, {"users", {"alice"}}, {"client_id", "b"}});
  settle();
  const auto alice_rooms = alice->of_type("room");
  const auto bob_rooms = bob->of_type("room");
  ASSERT_FALSE(alice_rooms.empty());
  ASSERT_FALSE(bob_rooms.empty());
  EXPECT_EQ(alice_rooms.front().at("room").at("id"), bob_rooms.back().at("room").at("id"));
  EXPECT_EQ(bob_rooms.back().at("ref"), "b");
  EXPECT_EQ(rooms_->all_rooms().size(), 2u);
}

TEST_F(chat_room_races_test, RoomCommandsCountAgainstTheMessageRate) {
  auto limits = generous_limits();
  limits.message_rate = 1;
  limits.message_burst = 2;
  reconfigure(limits);
  const auto alice = connect(alice_);
  alice->take();
  for (int i = 0; i < 3; ++i) {
    receive(alice, {{"type", "notify"}, {"room", general}, {"level", "all"}});
  }
  receive(alice, {{"type", "create_room"}, {"kind", "open"}, {"name", "x"}, {"client_id", "r"}});
  receive(alice, {{"type", "open_dm"}, {"users", json::array()}});
  settle();
  ASSERT_EQ(alice->types(), (types{"error", "error", "error", "notify", "notify"}));
  EXPECT_EQ(alice->frames[0].at("code"), "rate_limited");
  EXPECT_EQ(alice->frames[0].at("ref"), general);
  EXPECT_EQ(alice->frames[1].at("ref"), "r");
  EXPECT_TRUE(alice->frames[2].at("ref").is_null());
  EXPECT_GT(alice->frames[2].at("retry_after_ms").get<int>(), 0);
  EXPECT_EQ(rooms_->all_rooms().size(), 1u);
}

TEST_F(chat_room_races_test, WhenAReaderLeavesOthersReadIsTheFurthestMarkerOfThoseLeft) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  const auto carol = connect(carol_);
  const auto dave = connect(dave_);
  const auto room = create_private(alice, "design", {"bob", "carol", "dave"});
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(post(dave, "m" + std::to_string(i), room));
  receive(bob, {{"type", "seen"}, {"room", room}, {"id", ids[4]}});
  receive(carol, {{"type", "seen"}, {"room", room}, {"id", ids[2]}});
  receive(alice, {{"type", "seen"}, {"room", room}, {"id", ids[3]}});
  settle();
  receive(bob, {{"type", "leave_room"}, {"room", room}});
  settle();
  // Of those left, carol has read furthest for alice, alice for carol and dave.
  EXPECT_EQ(others_read(alice_, room), ids[2]);
  EXPECT_EQ(others_read(carol_, room), ids[3]);
  EXPECT_EQ(others_read(dave_, room), ids[3]);
  // As after a restart, which reads every marker again.
  restart();
  EXPECT_EQ(others_read(alice_, room), ids[2]);
}

TEST_F(chat_room_races_test, AnAddedMembersMarkerCountsAsItWillAfterARestart) {
  const auto alice = connect(alice_);
  const auto room = create_private(alice, "design");
  const auto id = post(alice, "before bob", room);
  receive(alice, {{"type", "add_members"}, {"room", room}, {"users", {"bob"}}});
  settle();
  // Bob starts with the history read (his stored marker is the room's last message).
  EXPECT_EQ(others_read(alice_, room), id);
  restart();
  EXPECT_EQ(others_read(alice_, room), id);
}

TEST_F(chat_room_races_test, SyncAfterLeavingAndComingBack) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  const auto room = create_private(alice, "design");
  forget_frames();
  receive(alice, {{"type", "add_members"}, {"room", room}, {"users", {"bob"}}});
  settle();
  receive(alice, {{"type", "remove_member"}, {"room", room}, {"user", "bob"}});
  receive(alice, send("c-1", "after bob", room));
  settle();
  EXPECT_EQ(bob->types(), (types{"room", "room_removed"}));
  bob->take();
  receive(bob, {{"type", "sync"}, {"since", 0}});
  const auto page = bob->take().at(0);
  EXPECT_TRUE(page.at("messages").empty());
  EXPECT_TRUE(page.at("rooms").empty());
  EXPECT_EQ(page.at("removed"), json({room}));
  // Back in: the departure is forgotten and the room listed again.
  receive(alice, {{"type", "add_members"}, {"room", room}, {"users", {"bob"}}});
  settle();
  receive(bob, {{"type", "sync"}, {"since", 0}});
  const auto again = bob->of_type("sync").at(0);
  EXPECT_TRUE(again.at("removed").empty());
  ASSERT_EQ(again.at("rooms").size(), 1u);
  EXPECT_EQ(again.at("rooms")[0].at("id"), room);
  EXPECT_EQ(again.at("messages").size(), 1u);  // what was said while he was out, now his
}

}  // namespace
}  // namespace chatterbox
