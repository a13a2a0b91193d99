#include "chatterbox/chat/room_directory.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace chatterbox {
namespace {

room_state make_room(std::int64_t id, room_kind kind, std::string name,
                     std::vector<std::int64_t> members = {}) {
  room_state room;
  room.id = id;
  room.kind = kind;
  room.name = std::move(name);
  room.members = std::move(members);
  return room;
}

std::vector<std::int64_t> room_ids(const std::vector<room_state*>& rooms) {
  std::vector<std::int64_t> out;
  for (const auto* room : rooms) out.push_back(room->id);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(room_directory_test, KindsByName) {
  EXPECT_EQ(to_string(room_kind::open), "open");
  EXPECT_EQ(to_string(room_kind::private_room), "private");
  EXPECT_EQ(to_string(room_kind::dm), "dm");
  EXPECT_EQ(room_kind_from("private"), room_kind::private_room);
  EXPECT_EQ(room_kind_from("dm"), room_kind::dm);
  EXPECT_EQ(room_kind_from("open"), room_kind::open);
  EXPECT_EQ(room_kind_from("Open"), std::nullopt);
}

TEST(room_directory_test, DmKeyIsTheSortedDistinctIds) {
  EXPECT_EQ(dm_key({9, 3, 7}), "3,7,9");
  EXPECT_EQ(dm_key({7, 3, 7, 3}), "3,7");
  EXPECT_EQ(dm_key({12}), "12");
  EXPECT_EQ(dm_key({10, 9}), "9,10");  // by number, not as text
}

TEST(room_directory_test, EveryoneIsAMemberOfAnOpenRoomAndOnlyMembersOfOthers) {
  room_directory rooms;
  rooms.add(make_room(1, room_kind::open, "general"));
  rooms.add(make_room(2, room_kind::private_room, "design", {5, 3}));
  auto dm = make_room(3, room_kind::dm, "", {3, 4});
  dm.dm_key = "3,4";
  rooms.add(std::move(dm));

  EXPECT_NE(rooms.visible(1, 42), nullptr);
  EXPECT_NE(rooms.visible(2, 3), nullptr);
  EXPECT_NE(rooms.visible(2, 5), nullptr);
  EXPECT_EQ(rooms.visible(2, 4), nullptr);   // not a member
  EXPECT_EQ(rooms.visible(99, 3), nullptr);  // no such room: the same answer
  EXPECT_NE(rooms.find(2), nullptr);
  EXPECT_EQ(rooms.find(2)->members, (std::vector<std::int64_t>{3, 5}));  // kept sorted
  EXPECT_EQ(room_ids(rooms.rooms_of(3)), (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(room_ids(rooms.rooms_of(4)), (std::vector<std::int64_t>{1, 3}));
  EXPECT_EQ(room_ids(rooms.rooms_of(42)), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(rooms.rooms_of(3).front()->id, 1);  // open rooms first
  EXPECT_EQ(room_ids(rooms.all()), (std::vector<std::int64_t>{1, 2, 3}));
}

TEST(room_directory_test, AddingAndRemovingMembers) {
  room_directory rooms;
  auto& room = rooms.add(make_room(2, room_kind::private_room, "design", {1}));
  rooms.add_member(room, 7);
  rooms.add_member(room, 4);
  rooms.add_member(room, 7);  // once
  EXPECT_EQ(room.members, (std::vector<std::int64_t>{1, 4, 7}));
  EXPECT_EQ(room_ids(rooms.rooms_of(7)), (std::vector<std::int64_t>{2}));
  rooms.remove_member(room, 7);
  EXPECT_EQ(room.members, (std::vector<std::int64_t>{1, 4}));
  EXPECT_EQ(rooms.visible(2, 7), nullptr);
  EXPECT_TRUE(rooms.rooms_of(7).empty());
  rooms.remove_member(room, 7);  // harmless
  // An open room has no member list.
  auto& open = rooms.add(make_room(1, room_kind::open, "general"));
  rooms.add_member(open, 9);
  EXPECT_TRUE(open.members.empty());
}

TEST(room_directory_test, NamesAreFoundRegardlessOfCaseAndRenamesMoveThem) {
  room_directory rooms;
  auto& design = rooms.add(make_room(2, room_kind::private_room, "Design"));
  EXPECT_EQ(rooms.find_by_name("design"), &design);
  EXPECT_EQ(rooms.find_by_name("DESIGN"), &design);
  EXPECT_EQ(rooms.find_by_name("other"), nullptr);
  rooms.rename(design, "Team");
  EXPECT_EQ(design.name, "Team");
  EXPECT_EQ(rooms.find_by_name("design"), nullptr);
  EXPECT_EQ(rooms.find_by_name("team"), &design);
}

TEST(room_directory_test, DmsAreFoundByKeyAndNotByName) {
  room_directory rooms;
  auto dm = make_room(3, room_kind::dm, "", {4, 3});
  dm.dm_key = dm_key({4, 3});
  const auto& stored = rooms.add(std::move(dm));
  EXPECT_EQ(rooms.find_dm("3,4"), &stored);
  EXPECT_EQ(rooms.find_dm("3"), nullptr);
  EXPECT_EQ(rooms.find_by_name(""), nullptr);
}

TEST(room_directory_test, TheTwoFurthestMarkersOfTwoDifferentUsers) {
  room_state room = make_room(1, room_kind::open, "general");
  EXPECT_TRUE(room_directory::note_marker(room, 10, 5));   // first reader
  EXPECT_TRUE(room_directory::note_marker(room, 11, 3));   // second
  EXPECT_FALSE(room_directory::note_marker(room, 12, 2));  // behind both: no receipt
  EXPECT_FALSE(room_directory::note_marker(room, 12, 3));  // equal to the second: no change
  EXPECT_EQ(room.first.user_id, 10);
  EXPECT_EQ(room.second.user_id, 11);

  EXPECT_TRUE(room_directory::note_marker(room, 12, 4));  // passes the second
  EXPECT_EQ(room.second.user_id, 12);
  EXPECT_EQ(room.second.marker, 4);
  EXPECT_TRUE(room_directory::note_marker(room, 12, 9));  // and the first: they swap
  EXPECT_EQ(room.first.user_id, 12);
  EXPECT_EQ(room.first.marker, 9);
  EXPECT_EQ(room.second.user_id, 10);
  EXPECT_EQ(room.second.marker, 5);
  EXPECT_TRUE(room_directory::note_marker(room, 12, 10));  // the first moves on
  EXPECT_FALSE(room_directory::note_marker(room, 12, 7));  // never backwards
  EXPECT_EQ(room.first.marker, 10);
  EXPECT_NE(room.first.user_id, room.second.user_id);
}

TEST(room_directory_test, OthersReadIsTheFurthestMarkerOfAnyoneElse) {
  room_state room = make_room(1, room_kind::open, "general");
  EXPECT_EQ(room_directory::others_read(room, 10), 0);
  room_directory::note_marker(room, 10, 5);
  EXPECT_EQ(room_directory::others_read(room, 10), 0);  // only their own
  EXPECT_EQ(room_directory::others_read(room, 11), 5);
  room_directory::note_marker(room, 11, 3);
  EXPECT_EQ(room_directory::others_read(room, 10), 3);
  EXPECT_EQ(room_directory::others_read(room, 11), 5);
  EXPECT_EQ(room_directory::others_read(room, 12), 5);
}

TEST(room_directory_test, AMemberWhoLeavesNoLongerCountsAsAReader) {
  room_directory rooms;
  auto& room = rooms.add(make_room(2, room_kind::private_room, "design", {10, 11, 12}));
  room_directory::note_marker(room, 10, 9);
  room_directory::note_marker(room, 11, 5);
  rooms.remove_member(room, 10);
  EXPECT_EQ(room_directory::others_read(room, 12), 5);
  EXPECT_EQ(room_directory::others_read(room, 11), 0);
  rooms.remove_member(room, 11);
  EXPECT_EQ(room_directory::others_read(room, 12), 0);
}

TEST(room_directory_test, LoadBuildsRoomsMembersAndMarkers) {
  room_directory rooms;
  rooms.load({{1, "open", "general", "", 0, false, 3},
              {2, "private", "design", "", 10, true, 7},
              {3, "dm", "", "10,11", 11, false, 8}},
             {{2, 10, 0, ""}, {2, 12, 4, ""}, {3, 10, 0, ""}, {3, 11, 6, "none"}},
             {{1, 10, 5, ""}, {1, 11, 7, ""}, {2, 12, 4, ""}, {3, 11, 6, ""}});
  const auto* design = rooms.find(2);
  ASSERT_NE(design, nullptr);
  EXPECT_EQ(design->kind, room_kind::private_room);
  EXPECT_TRUE(design->archived);
  EXPECT_EQ(design->seq, 7);
  EXPECT_EQ(design->creator_id, 10);
  EXPECT_EQ(design->members, (std::vector<std::int64_t>{10, 12}));
  EXPECT_EQ(room_directory::others_read(*design, 10), 4);
  EXPECT_EQ(rooms.find_dm("10,11"), rooms.find(3));
  EXPECT_EQ(room_directory::others_read(*rooms.find(1), 11), 5);
  EXPECT_EQ(room_directory::others_read(*rooms.find(1), 12), 7);
  EXPECT_EQ(room_ids(rooms.rooms_of(11)), (std::vector<std::int64_t>{1, 3}));
  EXPECT_EQ(rooms.find_by_name("GENERAL"), rooms.find(1));
}

}  // namespace
}  // namespace chatterbox
