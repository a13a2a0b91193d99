#include "chatterbox/storage/search_repository.hpp"

#include "chatterbox/protocol/search_query.hpp"
#include "chatterbox/storage/database.hpp"
#include "chatterbox/storage/message_repository.hpp"
#include "chatterbox/storage/migrations.hpp"
#include "support/temp_dir.hpp"

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace chatterbox {
namespace {

constexpr std::int64_t search_t0 = 1'795'000'000'000;
constexpr std::int64_t general_room = 1;

class search_repository_test : public test_support::temp_db_test {
 protected:
  void SetUp() override {
    temp_db_test::SetUp();
    alice_ = add_user("alice");
    bob_ = add_user("bob");
    handle().exec("INSERT INTO rooms (id, kind, name, created_at) VALUES (2, 'private', 'secret', 0)");
    join(general_room, alice_);
    join(general_room, bob_);
    join(secret, bob_);
  }
  void attach() override {
    messages_.emplace(handle());
    search_.emplace(handle());
  }
  void detach() override {
    search_.reset();
    messages_.reset();
  }

  void join(std::int64_t room, std::int64_t user) {
    SQLite::Statement insert(handle(), "INSERT INTO room_members (room_id, user_id) VALUES (?, ?)");
    insert.bind(1, room);
    insert.bind(2, user);
    insert.exec();
  }

  message post(std::int64_t user, const std::string& text, std::int64_t room = general_room) {
    const std::int64_t n = ++posted_;
    const std::string client_id = "c-" + std::to_string(n);
    return messages_
        ->insert(new_message{user, user == alice_ ? "alice" : "bob", room, client_id, text, {}},
                 search_t0 + n * 1000, ++seq_)
        .value();
  }

  // The ids a user finds with a query as typed (the parser builds the expression), once the
  // messages posted so far are indexed, as the end of their write batch does.
  std::vector<std::int64_t> found(std::int64_t user, std::string_view query,
                                  search_request request = {}) {
    search_->index_pending();
    const auto parsed = std::get<search_query>(parse_search_query(query, 0));
    request.user_id = user;
    request.match = fts5_match(parsed.terms);
    std::vector<std::int64_t> ids;
    for (const auto& hit : search_->search(request).hits) ids.push_back(hit.found.id);
    return ids;
  }

  void expect_index_intact() {
    EXPECT_NO_THROW(handle().exec("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')"));
  }

  static constexpr std::int64_t secret = 2;
  std::int64_t alice_ = 0;
  std::int64_t bob_ = 0;
  std::int64_t posted_ = 0;
  std::int64_t seq_ = 0;
  std::optional<message_repository> messages_;
  std::optional<search_repository> search_;
};

using ids = std::vector<std::int64_t>;

TEST_F(search_repository_test, FindsWordsPrefixesAndPhrasesNewestFirst) {
  const auto a = post(alice_, "We deploy on Friday");
  const auto b = post(bob_, "the deployment failed");
  const auto c = post(alice_, "release notes are out, deploy again");
  EXPECT_EQ(found(alice_, "deploy"), (ids{c.id, a.id}));
  EXPECT_EQ(found(alice_, "deplo*"), (ids{c.id, b.id, a.id}));
  EXPECT_EQ(found(alice_, "\"release notes\""), (ids{c.id}));
  EXPECT_EQ(found(alice_, "\"notes release\""), ids{});
  EXPECT_EQ(found(alice_, "DEPLOY friday"), (ids{a.id}));  // every word, any case
}

TEST_F(search_repository_test, AccentsDoNotMatter) {
  const auto m = post(alice_, "Mon résumé, naïve café");
  EXPECT_EQ(found(alice_, "resume cafe"), (ids{m.id}));
  EXPECT_EQ(found(alice_, "RÉSUMÉ"), (ids{m.id}));
}

TEST_F(search_repository_test, TheIndexFollowsEditsAndDeletes) {
  const auto m = post(alice_, "first draft");
  EXPECT_EQ(found(alice_, "draft"), (ids{m.id}));
  messages_->update_text(m.id, "final version", {}, ++seq_);
  EXPECT_EQ(found(alice_, "draft"), ids{});
  EXPECT_EQ(found(alice_, "final"), (ids{m.id}));
  messages_->mark_deleted(m.id, ++seq_);
  EXPECT_EQ(found(alice_, "final"), ids{});
  EXPECT_EQ(found(alice_, "from:alice"), ids{});  // a tombstone is not a result either
  expect_index_intact();
}

// Sent, edited and deleted in one write batch: indexed as it is when the batch ends.
TEST_F(search_repository_test, MessagesChangedBeforeTheirBatchEndsAreIndexedAsTheyAreThen) {
  const auto edited = post(alice_, "typo heer");
  const auto gone = post(alice_, "oops heer");
  messages_->update_text(edited.id, "typo here", {}, ++seq_);
  messages_->mark_deleted(gone.id, ++seq_);
  EXPECT_EQ(found(alice_, "heer"), ids{});
  EXPECT_EQ(found(alice_, "here"), (ids{edited.id}));
  EXPECT_EQ(found(alice_, "oops"), ids{});
  expect_index_intact();
}

TEST_F(search_repository_test, NothingIsFoundBeforeItsBatchEndsAndNothingTwiceAfter) {
  const auto m = post(alice_, "pending words");
  search_request request;
  request.user_id = alice_;
  request.match = fts5_match({{"pending", false, false}});
  EXPECT_TRUE(search_->search(request).hits.empty());
  search_->index_pending();
  search_->index_pending();  // nothing left to index: nothing indexed twice
  ASSERT_EQ(search_->search(request).hits.size(), 1u);
  EXPECT_EQ(search_->search(request).hits[0].found.id, m.id);
  expect_index_intact();
}

TEST_F(search_repository_test, ASeqBumpWithoutNewTextLeavesTheIndexAlone) {
  const auto m = post(alice_, "reactions bump the seq");
  search_->index_pending();
  handle().exec("UPDATE messages SET seq = 1000 WHERE id = " + std::to_string(m.id));
  EXPECT_EQ(found(alice_, "reactions"), (ids{m.id}));
  expect_index_intact();
}

TEST_F(search_repository_test, OnlyRoomsTheUserIsAMemberOf) {
  const auto open = post(bob_, "launch plan");
  const auto hidden = post(bob_, "launch secret plan", secret);
  EXPECT_EQ(found(alice_, "launch"), (ids{open.id}));
  EXPECT_EQ(found(alice_, "secret"), ids{});
  EXPECT_EQ(found(bob_, "launch"), (ids{hidden.id, open.id}));
  // Even asked for by id, a room the user is not in gives nothing.
  search_request in_secret;
  in_secret.rooms = {secret};
  EXPECT_EQ(found(alice_, "launch", in_secret), ids{});
  EXPECT_EQ(found(alice_, "from:bob", in_secret), ids{});
  // Removed: gone from the results.
  handle().exec("DELETE FROM room_members WHERE room_id = 2 AND user_id = " + std::to_string(bob_));
  EXPECT_EQ(found(bob_, "launch"), (ids{open.id}));
}

TEST_F(search_repository_test, FiltersByAuthorRoomDateAndPage) {
  join(secret, alice_);
  const auto m1 = post(alice_, "status one");
  const auto m2 = post(bob_, "status two");
  const auto m3 = post(bob_, "status three", secret);
  const auto m4 = post(alice_, "status four", secret);
  search_request by_bob;
  by_bob.authors = {bob_};
  EXPECT_EQ(found(alice_, "status", by_bob), (ids{m3.id, m2.id}));
  search_request by_both = by_bob;
  by_both.authors.push_back(alice_);
  EXPECT_EQ(found(alice_, "status", by_both), (ids{m4.id, m3.id, m2.id, m1.id}));
  search_request in_secret;
  in_secret.rooms = {secret};
  EXPECT_EQ(found(alice_, "status", in_secret), (ids{m4.id, m3.id}));
  search_request dated;
  dated.since_ms = m2.ts;
  dated.until_ms = m4.ts;
  EXPECT_EQ(found(alice_, "status", dated), (ids{m3.id, m2.id}));
  search_request page;
  page.limit = 2;
  EXPECT_EQ(found(alice_, "status", page), (ids{m4.id, m3.id}));
  page.before = m3.id;
  EXPECT_EQ(found(alice_, "status", page), (ids{m2.id, m1.id}));
}

TEST_F(search_repository_test, APageLooksAtABoundedNumberOfCandidatesAndSaysWhereItStopped) {
  // Alice is not in "secret", where the word is common: her page walks only the newest
  // scan_limit matches, finds nothing among them, and says where the next page starts.
  const auto old = post(bob_, "launch plan");
  std::vector<std::int64_t> hidden;
  for (int i = 0; i < 5; ++i) hidden.push_back(post(bob_, "launch secret", secret).id);
  const auto fresh = post(bob_, "launch day");
  search_->index_pending();
  const auto parsed = std::get<search_query>(parse_search_query("launch", 0));
  search_request request;
  request.user_id = alice_;
  request.match = fts5_match(parsed.terms);
  request.scan_limit = 3;
  auto page = search_->search(request);
  EXPECT_EQ(page.hits.size(), 1u);
  EXPECT_EQ(page.hits.at(0).found.id, fresh.id);
  ASSERT_TRUE(page.stopped_at.has_value());
  EXPECT_EQ(*page.stopped_at, hidden[3]);
  request.before = page.stopped_at;
  page = search_->search(request);
  EXPECT_TRUE(page.hits.empty());
  ASSERT_TRUE(page.stopped_at.has_value());
  EXPECT_EQ(*page.stopped_at, hidden[0]);
  request.before = page.stopped_at;
  page = search_->search(request);
  ASSERT_EQ(page.hits.size(), 1u);
  EXPECT_EQ(page.hits.at(0).found.id, old.id);
  EXPECT_FALSE(page.stopped_at.has_value());
  // Operators only: messages are the candidates.
  search_request filters;
  filters.user_id = alice_;
  filters.scan_limit = 2;
  page = search_->search(filters);
  EXPECT_EQ(page.hits.size(), 1u);
  EXPECT_EQ(*page.stopped_at, hidden[4]);
}

TEST_F(search_repository_test, FiltersAloneGiveTheNewestMessages) {
  const auto m1 = post(alice_, "one");
  post(bob_, "two");
  const auto m3 = post(alice_, "three");
  search_request by_alice;
  by_alice.authors = {alice_};
  EXPECT_EQ(found(alice_, "from:alice", by_alice), (ids{m3.id, m1.id}));
}

TEST_F(search_repository_test, SnippetsMarkTheMatchedWords) {
  post(alice_, "Ship the release notes today, then deploy to production and tell everyone");
  search_request request;
  request.user_id = alice_;
  request.match = fts5_match({{"release notes", false, true}, {"deplo", true, false}});
  search_->index_pending();
  const auto hits = search_->search(request).hits;
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].snippet,
            "Ship the \x01release notes\x02 today, then \x01" "deploy\x02 to production and tell "
            "everyone");
  EXPECT_EQ(hits[0].found.user, "alice");
  EXPECT_EQ(hits[0].found.text,
            "Ship the release notes today, then deploy to production and tell everyone");
}

TEST_F(search_repository_test, LongTextsAreCutAroundTheMatch) {
  std::string text;
  for (int i = 0; i < 60; ++i) text += "filler" + std::to_string(i) + " ";
  text += "needle";
  for (int i = 0; i < 60; ++i) text += " more" + std::to_string(i);
  post(alice_, text);
  search_request request;
  request.user_id = alice_;
  request.match = fts5_match({{"needle", false, false}});
  search_->index_pending();
  const auto hits = search_->search(request).hits;
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].snippet.find("\x01needle\x02"), std::string::npos);
  EXPECT_EQ(hits[0].snippet.rfind("…", 0), 0u);  // cut before
  EXPECT_LT(hits[0].snippet.size(), 200u);
}

// --- the migration that builds the index ---

std::size_t fts_migration() {
  const auto list = migrations();
  const auto it = std::find_if(list.begin(), list.end(), [](const migration& m) {
    return m.description == "full-text search";
  });
  return static_cast<std::size_t>(it - list.begin());
}

class search_migration_test : public test_support::temp_dir_test {};

TEST_F(search_migration_test, IndexesTheMessagesAlreadyStored) {
  const auto path = file("old.db");
  {
    SQLite::Database old(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    const auto before_search = fts_migration();
    ASSERT_LT(before_search, migrations().size());
    const std::vector<migration> earlier(migrations().begin(),
                                         migrations().begin() + static_cast<long>(before_search));
    ASSERT_EQ(apply_migrations(old, earlier), static_cast<int>(before_search));
    old.exec("INSERT INTO users (id, username, password_hash, created_at) VALUES (1, 'alice', 'h', 0)");
    old.exec(
        "INSERT INTO messages (id, seq, user_id, client_id, text, ts, deleted) VALUES "
        "(1, 1, 1, 'a', 'old deploy notes', 10, 0), (2, 2, 1, 'b', '', 11, 1), "
        "(3, 3, 1, 'c', 'deployed again', 12, 0)");
    old.exec("INSERT INTO room_members (room_id, user_id) VALUES (1, 1)");
  }
  database db(path, sync_mode::normal);
  EXPECT_EQ(db.schema_version(), static_cast<int>(migrations().size()));
  search_repository search(db.handle());
  search_request request;
  request.user_id = 1;
  request.match = fts5_match({{"deplo", true, false}});
  std::vector<std::int64_t> hits;
  for (const auto& hit : search.search(request).hits) hits.push_back(hit.found.id);
  EXPECT_EQ(hits, (ids{3, 1}));
  // And it is kept from then on, also for rows another program writes.
  db.handle().exec("UPDATE messages SET text = 'rewritten' WHERE id = 1");
  db.handle().exec(
      "INSERT INTO messages (id, seq, user_id, client_id, text, ts) VALUES "
      "(4, 4, 1, 'd', 'deploying by hand', 13)");
  search.index_pending();
  db.handle().exec("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')");
  hits.clear();
  for (const auto& hit : search.search(request).hits) hits.push_back(hit.found.id);
  EXPECT_EQ(hits, (ids{4, 3}));
}

}  // namespace
}  // namespace chatterbox
