#include "chatterbox/storage/mention_repository.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

namespace chatterbox {
namespace {

class mention_repository_test : public test_support::temp_db_test {
 protected:
  void SetUp() override {
    temp_db_test::SetUp();
    alice_ = add_user("alice");
    bob_ = add_user("bob");
    carol_ = add_user("carol");
  }
  void attach() override { mentions_.emplace(handle()); }
  void detach() override { mentions_.reset(); }

  // A message row for the mentions to refer to; returns its id.
  std::int64_t message(std::int64_t room) {
    SQLite::Statement insert(handle(),
                             "INSERT INTO messages (seq, user_id, client_id, text, ts, room_id) "
                             "VALUES (?, ?, ?, 'hi', 0, ?)");
    ++seq_;
    insert.bind(1, seq_);
    insert.bind(2, alice_);
    insert.bind(3, "c-" + std::to_string(seq_));
    insert.bind(4, room);
    insert.exec();
    return handle().getLastInsertRowid();
  }

  std::optional<mention_repository> mentions_;
  std::int64_t alice_ = 0;
  std::int64_t bob_ = 0;
  std::int64_t carol_ = 0;
  std::int64_t seq_ = 0;
};

TEST_F(mention_repository_test, CountsMentionsOfAUserInARoomAfterTheMarker) {
  const auto first = message(1);
  const auto second = message(1);
  const auto elsewhere = message(7);
  mentions_->set(first, 1, {bob_, carol_});
  mentions_->set(second, 1, {bob_});
  mentions_->set(elsewhere, 7, {bob_});
  EXPECT_EQ(mentions_->count(bob_, 1, 0, 100), 2);
  EXPECT_EQ(mentions_->count(bob_, 1, first, 100), 1);
  EXPECT_EQ(mentions_->count(bob_, 1, second, 100), 0);
  EXPECT_EQ(mentions_->count(bob_, 7, 0, 100), 1);
  EXPECT_EQ(mentions_->count(carol_, 1, 0, 100), 1);
  EXPECT_EQ(mentions_->count(carol_, 7, 0, 100), 0);
  EXPECT_EQ(mentions_->count(alice_, 1, 0, 100), 0);
}

TEST_F(mention_repository_test, SetReplacesTheMessagesMentions) {
  const auto id = message(1);
  mentions_->set(id, 1, {bob_});
  mentions_->set(id, 1, {carol_});  // an edit that mentions someone else
  EXPECT_EQ(mentions_->count(bob_, 1, 0, 100), 0);
  EXPECT_EQ(mentions_->count(carol_, 1, 0, 100), 1);
  mentions_->set(id, 1, {carol_, carol_});  // a user is mentioned once per message
  EXPECT_EQ(mentions_->count(carol_, 1, 0, 100), 1);
  mentions_->set(id, 1, {});  // deleted, or an edit without mentions
  EXPECT_EQ(mentions_->count(carol_, 1, 0, 100), 0);
}

TEST_F(mention_repository_test, CountStopsAtTheCap) {
  for (int i = 0; i < 30; ++i) mentions_->set(message(1), 1, {bob_});
  EXPECT_EQ(mentions_->count(bob_, 1, 0, 100), 30);
  EXPECT_EQ(mentions_->count(bob_, 1, 0, 10), 10);
}

TEST_F(mention_repository_test, MentionsOfAnUnknownMessageOrUserAreRefused) {
  EXPECT_THROW(mentions_->set(999, 1, {bob_}), SQLite::Exception);
  EXPECT_THROW(mentions_->set(message(1), 1, {bob_ + 100}), SQLite::Exception);
}

}  // namespace
}  // namespace chatterbox
