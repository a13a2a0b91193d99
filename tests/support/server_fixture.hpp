#pragma once

#include "support/postgres_process.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_client.hpp"

#include <SQLiteCpp/Database.h>

#include <cstdlib>
#include <memory>
#include <string>

namespace chatterbox::test_support {

// Whether this process runs the integration suites on PostgreSQL (--store postgres://): set
// CHATTERBOX_TEST_STORE=postgres, as tests/run_on_postgres.sh does. One PostgreSQL serves the
// whole process (initdb costs a second or two), a new database per test.
inline bool testing_on_postgres() {
  const char* store = std::getenv("CHATTERBOX_TEST_STORE");
  return store != nullptr && std::string(store) == "postgres";
}

inline postgres_process& shared_postgres() {
  static postgres_process server;  // stopped, and its directory removed, when the process exits
  return server;
}

// For a test (or, first in its SetUp, a suite) of what only the SQLite store has: its file, its
// command-line tools. Skips it on PostgreSQL, saying why.
#define CHATTERBOX_SQLITE_ONLY(why)                                                                \
  do {                                                                                             \
    if (::chatterbox::test_support::testing_on_postgres()) GTEST_SKIP() << "SQLite only: " << why; \
  } while (false)

// A real server on an ephemeral port with a fresh database, restartable on the same file (or,
// on PostgreSQL, the same database).
class server_test : public temp_dir_test {
 protected:
  void SetUp() override {
    temp_dir_test::SetUp();
    if (testing_on_postgres()) {
      static int databases = 0;
      postgres_url_ = shared_postgres().create_database("test_" + std::to_string(++databases));
    }
    start(server_args());
  }
  void TearDown() override {
    server_.reset();
    temp_dir_test::TearDown();
  }

  // The flags every test of a suite starts its server with.
  virtual std::vector<std::string> server_args() { return {}; }

  void start(std::vector<std::string> extra_args = {}, std::uint16_t port = 0) {
    if (!postgres_url_.empty()) {
      extra_args.insert(extra_args.begin(), {"--store", postgres_url_});
    }
    server_ = std::make_unique<server_process>(file("chat.db"), std::move(extra_args), port);
  }
  void restart(std::vector<std::string> extra_args = {}) {
    ASSERT_EQ(server_->terminate(), 0) << server_->output();
    start(std::move(extra_args));
  }

  // The seqs a new account takes: one on PostgreSQL, where other nodes learn of it by its seq
  // like any change (docs/scale-out.md); none on SQLite.
  static std::int64_t seqs_of_an_account() { return testing_on_postgres() ? 1 : 0; }

  // The first column of the first row of `sql` in the server's database, whichever store it is.
  std::string stored_value(const std::string& sql) {
    if (!postgres_url_.empty()) return shared_postgres().value(postgres_url_, sql);
    SQLite::Database db(file("chat.db"), SQLite::OPEN_READONLY);
    return db.execAndGet(sql).getString();
  }

  std::uint16_t port() const { return server_->port(); }
  // A connection of `username` (the account is created if needed), its hello consumed.
  std::unique_ptr<ws_client> connect(const std::string& username) {
    return ws_client::connect(port(), token_for(port(), username));
  }
  // The same (the name the rooms tests were written with).
  std::unique_ptr<ws_client> join(const std::string& username) { return connect(username); }

  std::unique_ptr<server_process> server_;
  std::string postgres_url_;  // empty on SQLite
};

}  // namespace chatterbox::test_support
