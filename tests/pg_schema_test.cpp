// The PostgreSQL store's schema and its write functions (docs/scale-out.md), against a real
// PostgreSQL 15: migrations that nodes starting together can run at once, and the promise the
// protocol's seq makes — one total order without gaps or reuse, commit order being seq order —
// kept by writes on several connections at once.
#include "chatterbox/postgres/pg_schema.hpp"

#include "support/pg_store_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace chatterbox {
namespace {

using test_support::delete_sql;
using test_support::edit_sql;
using test_support::send_sql;

class pg_schema_test : public test_support::pg_store_fixture {};

TEST_F(pg_schema_test, AFreshDatabaseIsMigratedOnceAndASecondRunChangesNothing) {
  auto first = migrate(*db_);
  ASSERT_EQ(first.version, static_cast<int>(pg_migrations().size())) << first.error;
  ASSERT_TRUE(run(*db_, "INSERT INTO users (username, password_hash, created_at) "
                        "VALUES ('alice', 'x', 0)").ok);
  auto second = migrate(*db_);
  EXPECT_EQ(second.version, first.version) << second.error;
  EXPECT_EQ(run(*db_, "SELECT count(*) FROM users").value(0, 0), "1") << "nothing was redone";
  EXPECT_EQ(run(*db_, "SELECT name FROM rooms").value(0, 0), "general");
  // Names are one account whatever their case, as on SQLite.
  EXPECT_EQ(run(*db_, "INSERT INTO users (username, password_hash, created_at) "
                      "VALUES ('ALICE', 'x', 0)").sqlstate, "23505");
}

TEST_F(pg_schema_test, NodesStartingTogetherTakeTurnsAtMigrating) {
  std::vector<std::shared_ptr<pg_connection>> nodes;
  for (int i = 0; i < 4; ++i) nodes.push_back(connected(url_));
  std::vector<pg_migration_outcome> outcomes;
  for (auto& node : nodes) {
    migrate_postgres(*node, pg_migrations(),
                     [&](const pg_migration_outcome& o) { outcomes.push_back(o); });
  }
  ASSERT_TRUE(run_until([&] { return outcomes.size() == nodes.size(); }));
  for (const auto& o : outcomes) {
    EXPECT_EQ(o.version, static_cast<int>(pg_migrations().size())) << o.error;
  }
  EXPECT_EQ(run(*db_, "SELECT count(*) FROM chatterbox_schema").value(0, 0), "1");
}

TEST_F(pg_schema_test, AFailedStepLeavesTheOldVersionAndANewerDatabaseIsRefused) {
  const auto all = pg_migrations();
  ASSERT_EQ(migrate(*db_, all.first(1)).version, 1);
  const std::vector<migration> broken = {all[0], {"broken", "CREATE TABLE half (a int); SELEC 1"}};
  const auto failed = migrate(*db_, broken);
  EXPECT_FALSE(failed.version);
  EXPECT_NE(failed.error.find("SELEC"), std::string::npos) << failed.error;
  EXPECT_EQ(run(*db_, "SELECT max(version) FROM chatterbox_schema").value(0, 0), "1");
  EXPECT_EQ(run(*db_, "SELECT to_regclass('half') IS NULL").value(0, 0), "t") << "undone whole";

  ASSERT_TRUE(run(*db_, "UPDATE chatterbox_schema SET version = 99").ok);
  const auto refused = migrate(*db_);
  EXPECT_FALSE(refused.version);
  EXPECT_NE(refused.error.find("schema version 99"), std::string::npos) << refused.error;
  EXPECT_NE(refused.error.find("upgrade chatterbox"), std::string::npos) << refused.error;
}

TEST_F(pg_schema_test, ARefusedOrResentSendTakesNoSeq) {
  migrate_and_populate();
  const auto first = send(2, 1, "c1");
  EXPECT_EQ(first.value(0, 0), "stored");
  EXPECT_EQ(first.value(0, 3), "1");
  const auto again = send(2, 1, "c1");
  EXPECT_EQ(again.value(0, 0), "duplicate");
  EXPECT_EQ(again.value(0, 1), first.value(0, 1)) << "the message first stored";
  EXPECT_EQ(again.value(0, 3), "1");
  EXPECT_EQ(send(3, 2, "c2").value(0, 0), "no_room") << "carol is not in the private room";
  EXPECT_EQ(send(2, 99, "c3").value(0, 0), "no_room");
  EXPECT_EQ(send(1, 3, "c4").value(0, 0), "archived");
  EXPECT_EQ(send(2, 1, "c5", "999").value(0, 0), "no_original");
  EXPECT_EQ(send(2, 2, "c6", first.value(0, 1)).value(0, 0), "no_original") << "another room's";
  EXPECT_EQ(send(2, 1, "c7", std::nullopt, "42").value(0, 0), "no_file");
  EXPECT_EQ(counter(), "1");
  const auto next = send(2, 1, "c8");
  EXPECT_EQ(next.value(0, 0), "stored");
  EXPECT_EQ(next.value(0, 3), "2") << "no hole";
  EXPECT_EQ(run(*db_, "SELECT string_agg(seq::text, ',' ORDER BY seq) FROM messages").value(0, 0),
            "1,2");
}

TEST_F(pg_schema_test, AReplyCountsOnItsOriginalUnderASecondSeqAndItsDeleteUncounts) {
  migrate_and_populate();
  const auto original = send(1, 1, "o");
  const auto reply = send(2, 1, "r", original.value(0, 1));
  EXPECT_EQ(reply.value(0, 0), "stored");
  EXPECT_EQ(reply.value(0, 3), "2");
  EXPECT_EQ(reply.value(0, 5), "3") << "the original's new seq";
  EXPECT_EQ(reply.value(0, 6), "1");
  const auto removed = run(*db_, delete_sql, {"2", *reply.value(0, 1), "false"});
  EXPECT_EQ(removed.value(0, 0), "deleted") << removed.error;
  EXPECT_EQ(removed.value(0, 2), "4");
  EXPECT_EQ(removed.value(0, 5), original.value(0, 1));
  EXPECT_EQ(removed.value(0, 6), "5");
  EXPECT_EQ(removed.value(0, 7), "0");
  EXPECT_EQ(send(3, 1, "r2", reply.value(0, 1)).value(0, 0), "original_deleted");
  EXPECT_EQ(counter(), "5");
}

TEST_F(pg_schema_test, EditsAndDeletesAreRefusedAsOnSQLiteAndModerationIsAudited) {
  migrate_and_populate();
  const auto bobs = *send(2, 1, "b").value(0, 1);
  const auto in_private = *send(2, 2, "p").value(0, 1);
  auto edit = [&](int user, const std::string& id) {
    return run(*db_, edit_sql, {std::to_string(user), id, "new text", "{3}"}).value(0, 0);
  };
  auto remove = [&](int user, const std::string& id, bool anywhere = false) {
    return run(*db_, delete_sql, {std::to_string(user), id, anywhere ? "true" : "false"});
  };
  EXPECT_EQ(edit(3, bobs), "not_author");
  EXPECT_EQ(edit(3, in_private), "not_found") << "carol cannot see the private room";
  EXPECT_EQ(edit(2, "999"), "not_found");
  EXPECT_EQ(edit(2, bobs), "edited");
  EXPECT_EQ(run(*db_, "SELECT text, edited FROM messages WHERE id = $1", {bobs}).value(0, 0),
            "new text");
  EXPECT_EQ(run(*db_, "SELECT count(*) FROM mentions WHERE message_id = $1", {bobs}).value(0, 0),
            "1");
  EXPECT_EQ(remove(3, bobs).value(0, 0), "not_author") << "carol is no administrator";
  const auto moderated = remove(1, bobs);
  EXPECT_EQ(moderated.value(0, 0), "deleted");
  EXPECT_EQ(moderated.value(0, 3), "2") << "bob's message";
  EXPECT_EQ(run(*db_, "SELECT action, user_id, detail FROM admin_audit").value(0, 2),
            "message " + bobs + " in #general");
  EXPECT_EQ(run(*db_, "SELECT text, deleted FROM messages WHERE id = $1", {bobs}).value(0, 1), "t");
  EXPECT_EQ(run(*db_, "SELECT count(*) FROM mentions WHERE message_id = $1", {bobs}).value(0, 0),
            "0");
  EXPECT_EQ(edit(2, bobs), "message_deleted");
  EXPECT_EQ(remove(2, bobs).value(0, 0), "message_deleted");
  EXPECT_EQ(remove(1, bobs, true).value(0, 0), "already_deleted");
  EXPECT_EQ(counter(), "4") << "two sends, one edit, one delete";
}

TEST_F(pg_schema_test, AFileGoesWithItsMessageAndItsBytesWhenNoUploadNamesThem) {
  migrate_and_populate();
  ASSERT_TRUE(run(*db_, "INSERT INTO files (sha256, user_id, room_id, name, size, type, created_at) "
                        "VALUES ('aa', 2, 1, 'a.png', 10, 'image/png', 0), "
                        "('aa', 2, 1, 'copy.png', 10, 'image/png', 0), "
                        "('bb', 3, 1, 'b.txt', 5, 'text/plain', 0)").ok);
  EXPECT_EQ(send(2, 1, "x", std::nullopt, "3").value(0, 0), "no_file") << "carol's upload";
  const auto with_file = send(2, 1, "f1", std::nullopt, "1");
  EXPECT_EQ(with_file.value(0, 0), "stored");
  EXPECT_EQ(send(2, 1, "f2", std::nullopt, "1").value(0, 0), "file_attached");
  const auto with_copy = send(2, 1, "f3", std::nullopt, "2");
  const auto first = run(*db_, delete_sql, {"2", *with_file.value(0, 1), "false"});
  EXPECT_EQ(first.value(0, 4), std::nullopt) << "the copy still names the bytes";
  const auto second = run(*db_, delete_sql, {"2", *with_copy.value(0, 1), "false"});
  EXPECT_EQ(second.value(0, 4), "aa");
  EXPECT_EQ(run(*db_, "SELECT count(*) FROM files").value(0, 0), "1");
}

TEST_F(pg_schema_test, RefusalsInsideABatchDoNotUndoTheRestOfIt) {
  migrate_and_populate();
  std::vector<pg_result> results;
  auto keep = [&](const pg_result* r) { results.push_back(r ? *r : pg_result{.error = "lost"}); };
  db_->query(send_sql, send_parameters(2, 1, "a"), keep);
  db_->query(send_sql, send_parameters(2, 1, "a"), keep);  // resent in the same batch
  db_->query(send_sql, send_parameters(3, 2, "b"), keep);  // not a member
  db_->query(send_sql, send_parameters(2, 1, "c", "999"), keep);
  db_->query(send_sql, send_parameters(3, 1, "d"), keep);
  db_->sync();
  ASSERT_TRUE(run_until([&] { return results.size() == 5; }));
  std::vector<std::string> outcomes;
  for (const auto& r : results) outcomes.push_back(r.ok ? r.value(0, 0).value_or("") : r.error);
  EXPECT_EQ(outcomes, (std::vector<std::string>{"stored", "duplicate", "no_room", "no_original",
                                                "stored"}));
  EXPECT_EQ(results[4].value(0, 3), "2");
  EXPECT_EQ(run(*db_, "SELECT count(*) FROM messages").value(0, 0), "2");
}

// Two nodes write batches at once while a third reads "everything after the last seq I saw",
// as sync and the gap fill do. Each answer must continue exactly where the last ended: a reader
// that sees seq N+1 has seen N, so nothing committed later can slip in behind it.
TEST_F(pg_schema_test, CommitOrderIsSeqOrderAcrossWriters) {
  migrate_and_populate();
  constexpr int batches = 20, per_batch = 25, writers = 2;
  constexpr int total = batches * per_batch * writers;
  std::vector<std::shared_ptr<pg_connection>> nodes;
  for (int w = 0; w < writers; ++w) nodes.push_back(connected(url_));
  auto reader = connected(url_);
  int answered = 0;
  std::set<std::string> ids;
  for (int b = 0; b < batches; ++b) {
    for (int w = 0; w < writers; ++w) {
      for (int i = 0; i < per_batch; ++i) {
        const auto client_id = std::to_string(w) + "-" + std::to_string(b) + "-" + std::to_string(i);
        ASSERT_TRUE(nodes[static_cast<std::size_t>(w)]->query(
            send_sql, send_parameters(w + 1, 1, client_id), [&](const pg_result* r) {
              ++answered;
              ASSERT_TRUE(r != nullptr && r->ok) << (r ? r->error : "lost");
              ids.insert(*r->value(0, 1));
            }));
      }
      nodes[static_cast<std::size_t>(w)]->sync();
    }
  }
  std::int64_t seen = 0;
  std::int64_t last_id = 0;
  int reads = 0;
  std::optional<std::string> broken;
  std::function<void()> read_on = [&] {
    reader->query("SELECT seq, id FROM messages WHERE seq > $1 ORDER BY seq",
                  {std::to_string(seen)}, [&](const pg_result* r) {
                    ++reads;
                    if (r == nullptr || !r->ok) {
                      broken = r ? r->error : "lost";
                      return;
                    }
                    for (std::size_t row = 0; row < r->rows.size(); ++row) {
                      const auto seq = std::stoll(*r->value(row, 0));
                      const auto id = std::stoll(*r->value(row, 1));
                      if (seq != seen + 1 && !broken) {
                        broken = "after seq " + std::to_string(seen) + " came " + std::to_string(seq);
                      }
                      if (id <= last_id && !broken) broken = "ids out of commit order";
                      seen = seq;
                      last_id = id;
                    }
                    if (seen < total && !broken) read_on();
                  });
    reader->sync();
  };
  read_on();
  ASSERT_TRUE(run_until([&] { return (seen == total && answered == total) || broken; },
                        std::chrono::seconds(60)));
  EXPECT_FALSE(broken) << *broken;
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(total));
  EXPECT_GT(reads, 2) << "the reader read while the writers wrote";
}

TEST_F(pg_schema_test, AReactionTakesASeqOnlyWhenItChangesSomething) {
  migrate_and_populate();
  const auto id = *send(2, 1, "m").value(0, 1);
  auto react = [&](int user, const std::string& emoji, bool on, const std::string& message) {
    auto r = run(*db_, "SELECT outcome, room_id, message_seq, people FROM chatterbox_react($1, $2, $3, $4, 2)",
                 {std::to_string(user), message, emoji, on ? "true" : "false"});
    EXPECT_TRUE(r.ok) << r.error;
    return r;
  };
  const auto first = react(1, "👍", true, id);
  EXPECT_EQ(first.value(0, 0), "changed") << first.error;
  EXPECT_EQ(first.value(0, 2), "2");
  EXPECT_EQ(first.value(0, 3), "1");
  EXPECT_EQ(run(*db_, "SELECT seq FROM messages WHERE id = $1", {id}).value(0, 0), "2")
      << "sync brings the message with its reactions";
  EXPECT_EQ(react(1, "👍", true, id).value(0, 0), "unchanged");
  EXPECT_EQ(react(3, "👍", true, id).value(0, 3), "2");
  EXPECT_EQ(react(3, "🎉", true, id).value(0, 0), "changed");
  EXPECT_EQ(react(3, "🚀", true, id).value(0, 0), "too_many") << "two different emoji at most here";
  EXPECT_EQ(react(2, "🎉", true, id).value(0, 0), "changed") << "an emoji already there is not a new one";
  EXPECT_EQ(react(1, "👍", false, id).value(0, 3), "1");
  EXPECT_EQ(react(1, "👍", false, id).value(0, 0), "unchanged");
  const auto in_private = *send(1, 2, "p").value(0, 1);
  EXPECT_EQ(react(3, "👍", true, in_private).value(0, 0), "not_found");
  EXPECT_EQ(counter(), "7") << "two sends and five changes";
}

TEST_F(pg_schema_test, RoomsAreCreatedRenamedJoinedAndLeftUnderSeqs) {
  migrate_and_populate();
  auto create = [&](const std::string& kind, std::optional<std::string> name,
                    std::optional<std::string> dm_key, const std::string& members) {
    return run(*db_, "SELECT outcome, room_id, room_seq FROM chatterbox_create_room(1, $1, $2, $3, $4, 0)",
               {kind, std::move(name), std::move(dm_key), members});
  };
  const auto team = create("private", "Team", std::nullopt, "{1,2}");
  ASSERT_EQ(team.value(0, 0), "created") << team.error;
  EXPECT_EQ(team.value(0, 2), "1");
  const auto room = *team.value(0, 1);
  EXPECT_EQ(create("open", "TEAM", std::nullopt, "{}").value(0, 0), "name_taken");
  const auto dm = create("dm", std::nullopt, "1,3", "{1,3}");
  EXPECT_EQ(dm.value(0, 0), "created");
  const auto again = create("dm", std::nullopt, "1,3", "{1,3}");
  EXPECT_EQ(again.value(0, 0), "exists");
  EXPECT_EQ(again.value(0, 1), dm.value(0, 1));
  const auto lobby = create("open", "lobby", std::nullopt, "{}");
  EXPECT_EQ(run(*db_, "SELECT count(*) FROM room_members WHERE room_id = $1", {*lobby.value(0, 1)}).value(0, 0),
            "3") << "everyone is in an open room";
  EXPECT_EQ(counter(), "3");

  auto rename = [&](const std::string& name) {
    return run(*db_, "SELECT outcome, room_seq FROM chatterbox_rename_room($1, $2)", {room, name});
  };
  EXPECT_EQ(rename("GENERAL").value(0, 0), "name_taken");
  EXPECT_EQ(rename("team").value(0, 1), "4") << "its own name in another case";

  auto remove = [&](const std::string& user) {
    return run(*db_, "SELECT outcome, room_seq, archived FROM chatterbox_remove_member($1, $2)", {room, user});
  };
  const auto bob_left = remove("2");
  EXPECT_EQ(bob_left.value(0, 0), "removed");
  EXPECT_EQ(bob_left.value(0, 2), "f");
  EXPECT_EQ(run(*db_, "SELECT seq FROM room_departures WHERE user_id = 2").value(0, 0), bob_left.value(0, 1));
  EXPECT_EQ(remove("2").value(0, 0), "not_member");
  const auto added = run(*db_, "SELECT chatterbox_add_members($1, '{2,3}', 17)", {room});
  EXPECT_EQ(added.value(0, 0), "6");
  EXPECT_EQ(run(*db_, "SELECT count(*) FROM room_departures").value(0, 0), "0") << "bob is back";
  EXPECT_EQ(run(*db_, "SELECT marker FROM room_members WHERE room_id = $1 AND user_id = 3", {room}).value(0, 0),
            "17");
  remove("1");
  remove("2");
  const auto last = remove("3");
  EXPECT_EQ(last.value(0, 2), "t") << "nobody left: archived";
  EXPECT_EQ(run(*db_, "SELECT archived, seq FROM rooms WHERE id = $1", {room}).value(0, 1), last.value(0, 1));
  EXPECT_EQ(counter(), "9");
}

}  // namespace
}  // namespace chatterbox
