#include "chatterbox/storage/token_repository.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>

namespace chatterbox {
namespace {

constexpr std::int64_t now = 1'795'000'000'000;
constexpr std::int64_t day = 24 * 60 * 60 * 1000;

class token_repository_test : public test_support::temp_db_test {
 protected:
  void SetUp() override {
    temp_db_test::SetUp();
    alice_ = add_user("alice");
  }
  void attach() override { tokens_.emplace(handle()); }
  void detach() override { tokens_.reset(); }

  std::optional<token_repository> tokens_;
  std::int64_t alice_ = 0;
};

TEST_F(token_repository_test, StoredTokenFindsItsOwner) {
  tokens_->store("digest-1", alice_, now, now + day);
  const auto owner = tokens_->find_valid("digest-1", now);
  ASSERT_TRUE(owner);
  EXPECT_EQ(owner->user_id, alice_);
  EXPECT_EQ(owner->username, "alice");
  EXPECT_EQ(owner->expires_at_ms, now + day);
}

TEST_F(token_repository_test, UnknownTokenIsNotFound) {
  tokens_->store("digest-1", alice_, now, now + day);
  EXPECT_FALSE(tokens_->find_valid("digest-2", now));
}

TEST_F(token_repository_test, ExpiredTokenIsNotFound) {
  tokens_->store("digest-1", alice_, now, now + day);
  EXPECT_TRUE(tokens_->find_valid("digest-1", now + day - 1));
  // Valid strictly before expires_at; at that instant it is already expired.
  EXPECT_FALSE(tokens_->find_valid("digest-1", now + day));
  EXPECT_FALSE(tokens_->find_valid("digest-1", now + 2 * day));
}

TEST_F(token_repository_test, RevokedTokenIsNotFound) {
  tokens_->store("digest-1", alice_, now, now + day);
  tokens_->store("digest-2", alice_, now, now + day);
  EXPECT_TRUE(tokens_->revoke("digest-1"));
  EXPECT_FALSE(tokens_->find_valid("digest-1", now));
  EXPECT_FALSE(tokens_->revoke("digest-1"));          // already gone
  EXPECT_TRUE(tokens_->find_valid("digest-2", now));  // other sessions unaffected
}

TEST_F(token_repository_test, PurgeRemovesOnlyExpiredTokens) {
  tokens_->store("old-1", alice_, now - 2 * day, now - day);
  tokens_->store("old-2", alice_, now - day, now);
  tokens_->store("live", alice_, now, now + day);
  EXPECT_EQ(tokens_->purge_expired(now), 2);
  EXPECT_EQ(tokens_->purge_expired(now), 0);
  EXPECT_TRUE(tokens_->find_valid("live", now));
  EXPECT_EQ(handle().execAndGet("SELECT count(*) FROM tokens").getInt(), 1);
}

TEST_F(token_repository_test, TokenForUnknownUserIsRejected) {
  EXPECT_THROW(tokens_->store("digest-1", alice_ + 100, now, now + day), SQLite::Exception);
  EXPECT_FALSE(tokens_->find_valid("digest-1", now));
}

TEST_F(token_repository_test, TokensSurviveReopen) {
  tokens_->store("digest-1", alice_, now, now + day);
  reopen();
  const auto owner = tokens_->find_valid("digest-1", now);
  ASSERT_TRUE(owner);
  EXPECT_EQ(owner->user_id, alice_);
}

}  // namespace
}  // namespace chatterbox
