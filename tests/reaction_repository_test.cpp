#include "chatterbox/storage/reaction_repository.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace chatterbox {
namespace {

class reaction_repository_test : public test_support::temp_db_test {
 protected:
  void SetUp() override {
    temp_db_test::SetUp();
    alice_ = add_user("alice");
    bob_ = add_user("bob");
  }
  void attach() override { reactions_.emplace(handle()); }
  void detach() override { reactions_.reset(); }

  std::int64_t add_message() {
    SQLite::Statement insert(handle(),
                             "INSERT INTO messages (seq, user_id, client_id, text, ts, room_id) "
                             "VALUES (?, ?, ?, 'hi', 0, 1)");
    ++seq_;
    insert.bind(1, seq_);
    insert.bind(2, alice_);
    insert.bind(3, "c-" + std::to_string(seq_));
    insert.exec();
    return handle().getLastInsertRowid();
  }
  bool react(std::int64_t id, std::int64_t user, const std::string& emoji, bool on = true) {
    return reactions_->set(id, user, emoji, on, ++seq_);
  }
  static message shell(std::int64_t id) {
    message m;
    m.id = id;
    return m;
  }

  std::optional<reaction_repository> reactions_;
  std::int64_t alice_ = 0;
  std::int64_t bob_ = 0;
  std::int64_t seq_ = 0;
};

TEST_F(reaction_repository_test, SetSaysWhetherAnythingChanged) {
  const auto id = add_message();
  EXPECT_TRUE(react(id, alice_, "👍"));
  EXPECT_FALSE(react(id, alice_, "👍"));
  EXPECT_TRUE(react(id, bob_, "👍"));
  EXPECT_TRUE(react(id, bob_, "🎉"));
  EXPECT_EQ(reactions_->count(id, "👍"), 2);
  EXPECT_EQ(reactions_->emoji_count(id), 2);
  EXPECT_TRUE(react(id, alice_, "👍", false));
  EXPECT_FALSE(react(id, alice_, "👍", false));
  EXPECT_EQ(reactions_->count(id, "👍"), 1);
  reactions_->clear(id);
  EXPECT_EQ(reactions_->emoji_count(id), 0);
}

TEST_F(reaction_repository_test, AttachFindsReactionsOfNearAndFarMessagesAlike) {
  // Near ids are read with one range scan, far ones one by one: both must give the same.
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 40; ++i) ids.push_back(add_message());
  react(ids[0], bob_, "👍");
  react(ids[1], alice_, "🎉");
  react(ids[1], bob_, "🎉");
  react(ids[39], alice_, "👀");
  react(ids[20], alice_, "❌");  // not asked for: must not appear anywhere
  for (const auto& picked : {std::vector<std::int64_t>{ids[0], ids[1]},
                             std::vector<std::int64_t>{ids[0], ids[1], ids[39]}}) {
    std::vector<message> page;
    for (const auto id : picked) page.push_back(shell(id));
    reactions_->attach(page, alice_);
    EXPECT_EQ(page[0].reactions, (std::vector<reaction>{{"👍", 1, {"bob"}, false}}));
    EXPECT_EQ(page[1].reactions, (std::vector<reaction>{{"🎉", 2, {"alice", "bob"}, true}}));
    if (page.size() > 2) {
      EXPECT_EQ(page[2].reactions, (std::vector<reaction>{{"👀", 1, {"alice"}, true}}));
    }
  }
}

TEST_F(reaction_repository_test, ADeletedMessageGetsNoReactions) {
  const auto id = add_message();
  react(id, bob_, "👍");
  std::vector<message> page{shell(id)};
  page[0].deleted = true;
  reactions_->attach(page, alice_);
  EXPECT_TRUE(page[0].reactions.empty());
}

}  // namespace
}  // namespace chatterbox
