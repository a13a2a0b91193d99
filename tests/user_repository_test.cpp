#include "chatterbox/storage/user_repository.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <optional>

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

}  // namespace
}  // namespace chatterbox
