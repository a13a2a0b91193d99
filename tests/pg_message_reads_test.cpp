// Messages read back from PostgreSQL as the protocol code sends them (postgres/pg_message_reads):
// quotes of replies, mentions, files, edits, deletes and reactions, after the store's own write
// functions wrote them.
#include "chatterbox/postgres/pg_message_reads.hpp"

#include "support/pg_store_fixture.hpp"

#include <gtest/gtest.h>

namespace chatterbox {
namespace {

constexpr std::string_view send_with_mentions =
    "SELECT message_id FROM chatterbox_send($1, 1, $2, $3, $4, $5::bigint[], $6, $7, 5000)";

class pg_message_reads_test : public test_support::pg_store_fixture {
 protected:
  std::string post(int user, const std::string& client_id, const std::string& text,
                   const std::string& mention_names = "", const std::string& mentioned = "{}",
                   std::optional<std::string> reply_to = std::nullopt,
                   std::optional<std::string> file = std::nullopt) {
    const auto r = run(*db_, send_with_mentions,
                       {std::to_string(user), client_id, text, mention_names, mentioned,
                        std::move(reply_to), std::move(file)});
    EXPECT_TRUE(r.ok && !r.rows.empty() && r.value(0, 0)) << r.error;
    return r.ok && !r.rows.empty() ? r.value(0, 0).value_or("") : "";
  }

  std::vector<message> read(std::string_view sql, const pg_connection::parameters& params,
                            std::int64_t viewer = 1) {
    const auto rows = run(*db_, sql, params);
    EXPECT_TRUE(rows.ok) << rows.error;
    auto messages = pg_reads::read_messages(rows);
    const auto reactions = run(*db_, pg_reads::reactions_of, {pg_reads::reaction_ids(messages)});
    EXPECT_TRUE(reactions.ok) << reactions.error;
    pg_reads::attach_reactions(messages, reactions, viewer);
    return messages;
  }
};

TEST_F(pg_message_reads_test, APageCarriesQuotesMentionsFilesAndReactions) {
  migrate_and_populate();
  ASSERT_TRUE(run(*db_, "INSERT INTO files (sha256, user_id, room_id, name, size, type, width, "
                        "height, created_at) VALUES ('aa', 2, 1, 'cat.png', 2048, 'image/png', "
                        "640, 480, 0)").ok);
  const auto original = post(1, "o", "first line of it\nsecond line");
  const auto reply = post(2, "r", "@carol look", "carol", "{3}", original, "1");
  for (const auto& [user, emoji] : {std::pair{3, "👍"}, std::pair{1, "🎉"}, std::pair{1, "👍"}}) {
    ASSERT_TRUE(run(*db_, "SELECT chatterbox_react($1, $2, $3, true, 20)",
                    {std::to_string(user), reply, emoji}).ok);
  }

  const auto page = read(pg_reads::messages_before, {"1", std::nullopt, "50"});
  ASSERT_EQ(page.size(), 2u);
  const auto& r = page[0];  // newest first
  EXPECT_EQ(std::to_string(r.id), reply);
  EXPECT_EQ(r.user, "bob");
  EXPECT_EQ(r.text, "@carol look");
  EXPECT_EQ(r.ts, 5000);
  EXPECT_EQ(r.mentions, std::vector<std::string>{"carol"});
  ASSERT_TRUE(r.reply_to);
  EXPECT_EQ(std::to_string(r.reply_to->id), original);
  EXPECT_EQ(r.reply_to->user, "alice");
  EXPECT_EQ(r.reply_to->text, "first line of it");
  EXPECT_FALSE(r.reply_to->deleted);
  ASSERT_TRUE(r.file);
  EXPECT_EQ(r.file->name, "cat.png");
  EXPECT_EQ(r.file->size, 2048);
  EXPECT_EQ(r.file->width, 640);
  EXPECT_EQ(r.file->height, 480);
  ASSERT_EQ(r.reactions.size(), 2u);
  EXPECT_EQ(r.reactions[0], (reaction{"👍", 2, {"carol", "alice"}, true})) << "by first use";
  EXPECT_EQ(r.reactions[1], (reaction{"🎉", 1, {"alice"}, true}));
  EXPECT_EQ(page[1].replies, 1);
  EXPECT_FALSE(page[1].reply_to);
  EXPECT_TRUE(page[1].reactions.empty());

  const auto as_bob = read(pg_reads::message_by_id, {reply}, 2);
  ASSERT_EQ(as_bob.size(), 1u);
  EXPECT_FALSE(as_bob[0].reactions[0].me) << "bob did not react";
}

TEST_F(pg_message_reads_test, ChangesComeInSeqOrderAsTheyAreNow) {
  migrate_and_populate();
  const auto a = post(1, "a", "one");
  const auto b = post(2, "b", "two", "alice", "{1}");
  const auto c = post(3, "c", "three", "", "{}", a);  // a takes a new seq for its reply count
  ASSERT_TRUE(run(*db_, test_support::edit_sql, {"2", b, "two, edited", "{}"}).ok);
  ASSERT_TRUE(run(*db_, test_support::delete_sql, {"1", a, "false"}).ok);

  const auto changes = read(pg_reads::messages_changed_since, {"2", "100"});
  std::vector<std::int64_t> ids;
  for (const auto& m : changes) ids.push_back(m.id);
  EXPECT_EQ(ids, (std::vector<std::int64_t>{std::stoll(c), std::stoll(b), std::stoll(a)}));
  for (std::size_t i = 1; i < changes.size(); ++i) EXPECT_LT(changes[i - 1].seq, changes[i].seq);
  const auto& edited = changes[1];
  EXPECT_TRUE(edited.edited);
  EXPECT_EQ(edited.text, "two, edited");
  EXPECT_TRUE(edited.mentions.empty());
  const auto& deleted = changes[2];
  EXPECT_TRUE(deleted.deleted);
  EXPECT_EQ(deleted.text, "");
  EXPECT_TRUE(changes[0].reply_to->deleted) << "the quote says its original is gone";
  EXPECT_EQ(changes[0].reply_to->text, "") << "and shows none of it";

  const auto after = read(pg_reads::messages_after, {"1", a, "1"});
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(std::to_string(after[0].id), b);
}

}  // namespace
}  // namespace chatterbox
