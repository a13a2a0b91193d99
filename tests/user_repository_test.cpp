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

class user_repository_test : public test_support::temp_db_test {
 protected:
  void attach() override { users_.emplace(handle()); }
  void detach() override { users_.reset(); }

  std::optional<user_repository> users_;
};

TEST_F(user_repository_test, CreatedUserCanBeFound) {
  const auto created = users_->create("alice", "hash-a", 1000);
  ASSERT_TRUE(created);
  EXPECT_GT(created->id, 0);
  EXPECT_EQ(created->username, "alice");
  EXPECT_EQ(created->password_hash, "hash-a");

  const auto found = users_->find_by_name("alice");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, created->id);
  EXPECT_EQ(found->username, "alice");
  EXPECT_EQ(found->password_hash, "hash-a");
}

TEST_F(user_repository_test, TheFirstAccountIsTheAdministrator) {
  EXPECT_TRUE(users_->create("alice", "hash-a", 1000)->admin);
  EXPECT_FALSE(users_->create("bob", "hash-b", 1001)->admin);
  EXPECT_TRUE(users_->find_by_name("alice")->admin);
  EXPECT_FALSE(users_->find_by_name("bob")->admin);
}

TEST_F(user_repository_test, UnknownNameIsNotFound) {
  users_->create("alice", "hash-a", 1000);
  EXPECT_FALSE(users_->find_by_name("bob"));
  EXPECT_FALSE(users_->find_by_name(""));
}

TEST_F(user_repository_test, LookupIgnoresCaseButKeepsRegisteredSpelling) {
  ASSERT_TRUE(users_->create("Alice", "hash-a", 1000));
  for (const char* spelling : {"alice", "ALICE", "aLiCe", "Alice"}) {
    const auto found = users_->find_by_name(spelling);
    ASSERT_TRUE(found) << spelling;
    EXPECT_EQ(found->username, "Alice") << spelling;
  }
}

TEST_F(user_repository_test, NameTakenInAnyCaseIsRejected) {
  const auto first = users_->create("Alice", "hash-a", 1000);
  ASSERT_TRUE(first);
  EXPECT_FALSE(users_->create("alice", "hash-b", 2000));
  EXPECT_FALSE(users_->create("ALICE", "hash-c", 3000));

  // The original account is untouched and the repository still works afterwards.
  const auto found = users_->find_by_name("alice");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, first->id);
  EXPECT_EQ(found->password_hash, "hash-a");
  EXPECT_TRUE(users_->create("bob", "hash-b", 4000));
}

TEST_F(user_repository_test, DistinctUsersGetDistinctIds) {
  const auto alice = users_->create("alice", "h", 1);
  const auto bob = users_->create("bob", "h", 2);
  ASSERT_TRUE(alice && bob);
  EXPECT_NE(alice->id, bob->id);
  EXPECT_EQ(users_->find_by_name("bob")->id, bob->id);
}

TEST_F(user_repository_test, UsersSurviveReopen) {
  const auto created = users_->create("alice", "hash-a", 1000);
  ASSERT_TRUE(created);
  reopen();
  const auto found = users_->find_by_name("ALICE");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, created->id);
  EXPECT_EQ(found->password_hash, "hash-a");
  EXPECT_FALSE(users_->create("alice", "other", 2000));
}

// --- rooms (protocol 2) ---

TEST_F(user_repository_test, AllNamesListsEveryAccountAsRegistered) {
  const auto alice = users_->create("alice", "h", 1)->id;
  const auto bob = users_->create("Bob", "h", 2)->id;
  auto names = users_->all_names();
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names,
            (std::vector<std::pair<std::int64_t, std::string>>{{alice, "alice"}, {bob, "Bob"}}));
}

TEST_F(user_repository_test, ANewAccountJoinsEveryOpenRoomHavingReadWhatWasThere) {
  const auto alice = users_->create("alice", "h", 1)->id;
  handle().exec(
      "INSERT INTO rooms (id, kind, name, created_at) VALUES (5, 'open', 'random', 0), "
      "(6, 'private', 'design', 0)");
  handle().exec(
      "INSERT INTO messages (seq, user_id, client_id, text, ts, room_id) VALUES "
      "(1, " +
      std::to_string(alice) +
      ", 'a', 'hi', 0, 1), "
      "(2, " +
      std::to_string(alice) +
      ", 'b', 'hi', 0, 5), "
      "(3, " +
      std::to_string(alice) + ", 'c', 'hi', 0, 1)");
  const auto bob = users_->create("bob", "h", 2)->id;
  SQLite::Statement rows(handle(),
                         "SELECT room_id, marker FROM room_members WHERE user_id = ? "
                         "ORDER BY room_id");
  rows.bind(1, bob);
  std::vector<std::pair<std::int64_t, std::int64_t>> memberships;
  while (rows.executeStep()) {
    memberships.emplace_back(rows.getColumn(0).getInt64(), rows.getColumn(1).getInt64());
  }
  // general and random, not the private room; the marker at each room's newest message.
  EXPECT_EQ(memberships, (std::vector<std::pair<std::int64_t, std::int64_t>>{{1, 3}, {5, 2}}));
  EXPECT_FALSE(users_->create("BOB", "h", 3));  // a taken name joins nothing either
}

}  // namespace
}  // namespace chatterbox
