#include "chatterbox/storage/room_repository.hpp"

#include "chatterbox/storage/user_repository.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace chatterbox {
namespace {

constexpr std::int64_t general = 1;

class room_repository_test : public test_support::temp_db_test {
 protected:
  void SetUp() override {
    temp_db_test::SetUp();
    alice_ = users_->create("alice", "h", 0)->id;
    bob_ = users_->create("bob", "h", 0)->id;
    carol_ = users_->create("Carol", "h", 0)->id;
  }
  void attach() override {
    rooms_.emplace(handle());
    users_.emplace(handle());
  }
  void detach() override {
    users_.reset();
    rooms_.reset();
  }

  std::optional<std::int64_t> create(const std::string& kind, const std::string& name,
                                     std::int64_t seq, const std::string& dm_key = "") {
    room_record room;
    room.kind = kind;
    room.name = name;
    room.dm_key = dm_key;
    room.creator_id = alice_;
    room.seq = seq;
    return rooms_->create(room, 1000);
  }

  std::int64_t marker_of(std::int64_t room, std::int64_t user) {
    for (const auto& m : rooms_->memberships_of(user)) {
      if (m.room_id == room) return m.marker;
    }
    return -1;  // not a member
  }

  static std::vector<std::string> names(
      const std::vector<std::pair<std::int64_t, std::string>>& rows) {
    std::vector<std::string> out;
    for (const auto& [id, name] : rows) out.push_back(name);
    return out;
  }

  std::optional<room_repository> rooms_;
  std::optional<user_repository> users_;
  std::int64_t alice_ = 0;
  std::int64_t bob_ = 0;
  std::int64_t carol_ = 0;
};

TEST_F(room_repository_test, GeneralExistsAndEveryUserIsInIt) {
  const auto all = rooms_->all_rooms();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].id, general);
  EXPECT_EQ(all[0].kind, "open");
  EXPECT_EQ(all[0].name, "general");
  for (const auto user : {alice_, bob_, carol_}) EXPECT_EQ(marker_of(general, user), 0);
  EXPECT_TRUE(rooms_->members_of_closed_rooms().empty());
  EXPECT_EQ(rooms_->max_seq(), 0);
}

TEST_F(room_repository_test, CreateStoresTheRoomAndATakenNameYieldsNothing) {
  const auto id = create("private", "Design", 5);
  ASSERT_TRUE(id.has_value());
  EXPECT_GT(*id, general);
  EXPECT_FALSE(create("open", "design", 6).has_value());  // regardless of case
  EXPECT_FALSE(create("private", "GENERAL", 6).has_value());
  const auto all = rooms_->all_rooms();
  ASSERT_EQ(all.size(), 2u);
  const auto& design = all[0].id == *id ? all[0] : all[1];
  EXPECT_EQ(design.kind, "private");
  EXPECT_EQ(design.name, "Design");
  EXPECT_EQ(design.creator_id, alice_);
  EXPECT_EQ(design.seq, 5);
  EXPECT_FALSE(design.archived);
  EXPECT_EQ(rooms_->max_seq(), 5);
}

TEST_F(room_repository_test, DmsHaveNoNameAndOnePerKey) {
  const auto key = std::to_string(alice_) + "," + std::to_string(bob_);
  const auto dm = create("dm", "ignored", 3, key);
  ASSERT_TRUE(dm.has_value());
  EXPECT_FALSE(create("dm", "", 4, key).has_value());
  // Many DMs without a name do not clash on it.
  EXPECT_TRUE(create("dm", "", 5, std::to_string(alice_)).has_value());
  for (const auto& room : rooms_->all_rooms()) {
    if (room.kind != "dm") continue;
    EXPECT_EQ(room.name, "");
  }
  EXPECT_TRUE(create("private", "ignored", 6).has_value());  // a DM's name was never stored
}

TEST_F(room_repository_test, MembersAreAddedOnceAndRemovedWithADeparture) {
  const auto room = *create("private", "design", 1);
  rooms_->add_member(room, alice_, 0);
  rooms_->add_member(room, bob_, 7);
  rooms_->add_member(room, bob_, 0);  // kept as is
  EXPECT_EQ(marker_of(room, bob_), 7);
  EXPECT_EQ(rooms_->members_of_closed_rooms().size(), 2u);

  EXPECT_EQ(rooms_->member_count(room), 2);
  rooms_->remove_member(room, bob_, 10);
  EXPECT_EQ(rooms_->member_count(room), 1);
  EXPECT_EQ(marker_of(room, bob_), -1);
  EXPECT_EQ(rooms_->departures(bob_, 0, 10), std::vector<std::int64_t>{room});
  EXPECT_TRUE(rooms_->departures(bob_, 10, 20).empty());  // since < seq <= until
  EXPECT_TRUE(rooms_->departures(bob_, 0, 9).empty());
  EXPECT_TRUE(rooms_->departures(alice_, 0, 100).empty());
  EXPECT_EQ(rooms_->max_seq(), 10);  // departures carry seqs too

  // Leaving again later moves the departure; coming back forgets it.
  rooms_->add_member(room, bob_, 0);
  EXPECT_TRUE(rooms_->departures(bob_, 0, 100).empty());
  rooms_->remove_member(room, bob_, 12);
  rooms_->add_member(room, bob_, 0);
  rooms_->remove_member(room, bob_, 15);
  EXPECT_EQ(rooms_->departures(bob_, 12, 15), std::vector<std::int64_t>{room});
}

TEST_F(room_repository_test, AddEveryUserMakesAnOpenRoomEveryonesRoom) {
  const auto room = *create("open", "random", 1);
  rooms_->add_every_user(room);
  rooms_->add_every_user(room);  // harmless twice
  for (const auto user : {alice_, bob_, carol_}) EXPECT_EQ(marker_of(room, user), 0);
  // And an account created later joins it, having read what was there.
  SQLite::Statement message(handle(),
                            "INSERT INTO messages (seq, user_id, client_id, text, ts, room_id) "
                            "VALUES (2, ?, 'c', 'hi', 0, ?)");
  message.bind(1, alice_);
  message.bind(2, room);
  message.exec();
  const auto message_id = handle().getLastInsertRowid();
  const auto dave = users_->create("dave", "h", 0)->id;
  EXPECT_EQ(marker_of(room, dave), message_id);
  EXPECT_EQ(marker_of(general, dave), 0);
}

TEST_F(room_repository_test, RenameArchiveAndSeq) {
  const auto room = *create("private", "design", 1);
  create("private", "taken", 2);
  EXPECT_FALSE(rooms_->rename(room, "TAKEN", 3));
  EXPECT_TRUE(rooms_->rename(room, "Design Team", 4));
  rooms_->set_archived(room, true, 5);
  auto all = rooms_->all_rooms();
  auto it = std::find_if(all.begin(), all.end(), [&](const auto& r) { return r.id == room; });
  EXPECT_EQ(it->name, "Design Team");
  EXPECT_TRUE(it->archived);
  EXPECT_EQ(it->seq, 5);
  rooms_->set_seq(room, 9);
  rooms_->set_archived(room, false, 10);
  all = rooms_->all_rooms();
  it = std::find_if(all.begin(), all.end(), [&](const auto& r) { return r.id == room; });
  EXPECT_FALSE(it->archived);
  EXPECT_EQ(it->seq, 10);
  EXPECT_TRUE(create("open", "design", 11).has_value());  // the old name is free
}

TEST_F(room_repository_test, MarkersNeverMoveBackwards) {
  EXPECT_TRUE(rooms_->advance_marker(general, bob_, 5));
  EXPECT_FALSE(rooms_->advance_marker(general, bob_, 5));
  EXPECT_FALSE(rooms_->advance_marker(general, bob_, 3));
  EXPECT_EQ(marker_of(general, bob_), 5);
  EXPECT_TRUE(rooms_->advance_marker(general, bob_, 6));
  EXPECT_EQ(marker_of(general, bob_), 6);
  // Per room, and only for members.
  const auto room = *create("private", "design", 1);
  EXPECT_FALSE(rooms_->advance_marker(room, bob_, 9));
  EXPECT_EQ(marker_of(room, bob_), -1);
  rooms_->add_member(room, bob_, 0);
  EXPECT_TRUE(rooms_->advance_marker(room, bob_, 2));
  EXPECT_EQ(marker_of(general, bob_), 6);
  std::vector<std::pair<std::int64_t, std::int64_t>> nonzero;
  for (const auto& m : rooms_->nonzero_markers()) nonzero.emplace_back(m.room_id, m.marker);
  std::sort(nonzero.begin(), nonzero.end());
  EXPECT_EQ(nonzero, (std::vector<std::pair<std::int64_t, std::int64_t>>{{general, 6}, {room, 2}}));
}

TEST_F(room_repository_test, FurthestMarkersAreTheTwoHighestOfTheRoom) {
  EXPECT_TRUE(rooms_->furthest_markers(general).empty());  // nobody has read anything
  rooms_->advance_marker(general, alice_, 4);
  ASSERT_EQ(rooms_->furthest_markers(general).size(), 1u);
  rooms_->advance_marker(general, bob_, 9);
  rooms_->advance_marker(general, carol_, 6);
  const auto readers = rooms_->furthest_markers(general);
  ASSERT_EQ(readers.size(), 2u);
  EXPECT_EQ(readers[0].user_id, bob_);
  EXPECT_EQ(readers[0].marker, 9);
  EXPECT_EQ(readers[1].user_id, carol_);
  EXPECT_EQ(readers[1].marker, 6);
  const auto room = *create("private", "design", 1);
  EXPECT_TRUE(rooms_->furthest_markers(room).empty());
}

TEST_F(room_repository_test, NotifyLevelIsStoredPerMemberAndChecked) {
  EXPECT_EQ(rooms_->memberships_of(bob_).at(0).notify, "");  // the kind's default
  rooms_->set_notify(general, bob_, "none");
  EXPECT_EQ(rooms_->memberships_of(bob_).at(0).notify, "none");
  EXPECT_EQ(rooms_->memberships_of(alice_).at(0).notify, "");
  EXPECT_THROW(rooms_->set_notify(general, bob_, "loud"), SQLite::Exception);
}

TEST_F(room_repository_test, MembersByPrefixRegardlessOfCase) {
  users_->create("bea", "h", 0);
  users_->create("Bert", "h", 0);
  EXPECT_EQ(names(rooms_->members(general, true, "b", 10)),
            (std::vector<std::string>{"bea", "Bert", "bob"}));
  EXPECT_EQ(names(rooms_->members(general, true, "BE", 10)),
            (std::vector<std::string>{"bea", "Bert"}));
  EXPECT_EQ(names(rooms_->members(general, true, "", 2)),
            (std::vector<std::string>{"alice", "bea"}));
  const auto room = *create("private", "design", 1);
  rooms_->add_member(room, bob_, 0);
  rooms_->add_member(room, carol_, 0);
  EXPECT_EQ(names(rooms_->members(room, false, "", 10)),
            (std::vector<std::string>{"bob", "Carol"}));
  EXPECT_EQ(names(rooms_->members(room, false, "c", 10)), (std::vector<std::string>{"Carol"}));
  EXPECT_TRUE(rooms_->members(room, false, "a", 10).empty());  // alice is not in it
  const auto rows = rooms_->members(room, false, "bob", 10);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].first, bob_);
}

TEST_F(room_repository_test, PrefixWildcardsAreLiteral) {
  const auto a_b = users_->create("a_b", "h", 0)->id;
  const auto axb = users_->create("axb", "h", 0)->id;
  users_->create("a%c", "h", 0);
  users_->create("a\\d", "h", 0);
  EXPECT_EQ(names(rooms_->members(general, true, "a_", 10)), (std::vector<std::string>{"a_b"}));
  EXPECT_EQ(names(rooms_->members(general, true, "a%", 10)), (std::vector<std::string>{"a%c"}));
  EXPECT_EQ(names(rooms_->members(general, true, "a\\", 10)), (std::vector<std::string>{"a\\d"}));
  EXPECT_EQ(names(rooms_->members(general, true, "%", 10)), std::vector<std::string>{});
  EXPECT_EQ(names(rooms_->members(general, true, "_", 10)), std::vector<std::string>{});
  const auto room = *create("private", "design", 1);
  rooms_->add_member(room, a_b, 0);
  rooms_->add_member(room, axb, 0);
  EXPECT_EQ(names(rooms_->members(room, false, "a_", 10)), (std::vector<std::string>{"a_b"}));
}

TEST_F(room_repository_test, SeenByListsOtherMembersAtOrPastAMessage) {
  rooms_->advance_marker(general, alice_, 10);
  rooms_->advance_marker(general, bob_, 8);
  rooms_->advance_marker(general, carol_, 12);
  EXPECT_EQ(rooms_->seen_by(general, 8, alice_, 10), (std::vector<std::string>{"bob", "Carol"}));
  EXPECT_EQ(rooms_->seen_by(general, 9, alice_, 10), (std::vector<std::string>{"Carol"}));
  EXPECT_EQ(rooms_->seen_by(general, 8, bob_, 10), (std::vector<std::string>{"alice", "Carol"}));
  EXPECT_EQ(rooms_->seen_by(general, 8, bob_, 1), (std::vector<std::string>{"alice"}));
  EXPECT_TRUE(rooms_->seen_by(general, 13, bob_, 10).empty());
  const auto room = *create("private", "design", 1);
  rooms_->add_member(room, bob_, 20);
  EXPECT_EQ(rooms_->seen_by(room, 8, alice_, 10), (std::vector<std::string>{"bob"}));
}

}  // namespace
}  // namespace chatterbox
