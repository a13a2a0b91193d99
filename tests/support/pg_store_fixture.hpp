#pragma once

#include "chatterbox/postgres/pg_schema.hpp"

#include "support/postgres_fixture.hpp"

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace chatterbox::test_support {

using parameters = pg_connection::parameters;

inline constexpr std::string_view send_sql =
    "SELECT outcome, message_id, room_id, message_seq, message_ts, original_seq, "
    "original_replies FROM chatterbox_send($1, $2, $3, $4, '', $5::bigint[], $6, $7, $8)";
inline constexpr std::string_view edit_sql =
    "SELECT outcome, room_id, message_seq FROM chatterbox_edit($1, $2, $3, '', $4::bigint[])";
inline constexpr std::string_view delete_sql =
    "SELECT outcome, room_id, message_seq, author_id, released_sha256, original_id, "
    "original_seq, original_replies FROM chatterbox_delete($1, $2, $3, 1000)";

// Users 1 alice (administrator), 2 bob, 3 carol; rooms 1 general (all three), 2 private (alice
// and bob), 3 archived (alice).
inline constexpr std::string_view people_and_rooms[] = {
    "INSERT INTO users (username, password_hash, created_at, role) VALUES "
    "('alice', 'x', 0, 'admin'), ('bob', 'x', 0, 'member'), ('carol', 'x', 0, 'member')",
    "INSERT INTO rooms (kind, name, created_at) VALUES ('private', 'ops', 0)",
    "INSERT INTO rooms (kind, name, created_at, archived) VALUES ('open', 'old', 0, true)",
    "INSERT INTO room_members (room_id, user_id) VALUES (1, 1), (1, 2), (1, 3), (2, 1), (2, 2), "
    "(3, 1)",
};

// Statements run to their answer on a test's own connection (pg_store_fixture::run): the
// PostgreSQL side of the store contract suites, to set rows up and look at them.
class pg_rows {
 public:
  explicit pg_rows(std::function<pg_result(std::string_view)> run) : run_(std::move(run)) {}
  void exec(std::string_view sql) {
    const auto result = run_(sql);
    ASSERT_TRUE(result.ok) << result.error;
  }
  // The first column of the first row (nullopt: no row, or NULL).
  std::optional<std::string> value(std::string_view sql) {
    const auto result = run_(sql);
    EXPECT_TRUE(result.ok) << result.error;
    if (!result.ok || result.rows.empty()) return std::nullopt;
    return result.value(0, 0);
  }

 private:
  std::function<pg_result(std::string_view)> run_;
};

// A database of its own per test, on the suite's PostgreSQL, migrated to the store's schema on
// request, with a few people and rooms, and the write functions one call away.
class pg_store_fixture : public postgres_fixture {
 protected:
  void SetUp() override {
    postgres_fixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    static int databases = 0;
    url_ = server_->create_database("test_" + std::to_string(++databases));
    db_ = connected(url_);
  }

  pg_migration_outcome migrate(pg_connection& connection,
                               std::span<const migration> list = pg_migrations()) {
    std::optional<pg_migration_outcome> outcome;
    migrate_postgres(connection, list, [&](const pg_migration_outcome& o) { outcome = o; });
    EXPECT_TRUE(run_until([&] { return outcome.has_value(); }));
    return outcome.value_or(pg_migration_outcome{.error = "no answer"});
  }

  void migrate_and_populate() {
    const auto outcome = migrate(*db_);
    ASSERT_TRUE(outcome.version) << outcome.error;
    for (const auto sql : people_and_rooms) ASSERT_TRUE(run(*db_, sql).ok) << sql;
  }

  static parameters send_parameters(int user, int room, const std::string& client_id,
                                    std::optional<std::string> reply_to = std::nullopt,
                                    std::optional<std::string> file = std::nullopt,
                                    std::string mentioned = "{}") {
    return {std::to_string(user), std::to_string(room), client_id, "text of " + client_id,
            std::move(mentioned), std::move(reply_to), std::move(file), "1000"};
  }

  pg_result send(int user, int room, const std::string& client_id,
                 std::optional<std::string> reply_to = std::nullopt,
                 std::optional<std::string> file = std::nullopt) {
    auto r = run(*db_, send_sql, send_parameters(user, room, client_id, reply_to, file));
    EXPECT_TRUE(r.ok) << r.error;
    return r;
  }

  std::string counter() { return run(*db_, "SELECT value FROM seq_counter").value(0, 0).value_or(""); }

  std::string url_;
  std::shared_ptr<pg_connection> db_;
};

}  // namespace chatterbox::test_support
