// The database can refuse: an operator's sqlite3 shell or a backup holding the write lock, a
// full disk (here: the --max-db-bytes cap), I/O errors. Against the real binary and a real
// second SQLite connection: the request that needs the write gets a clear answer, nothing is
// stored or acked by halves, everything else keeps being served, and the process never exits
// (issue 9, items 3 and 6).
#include "support/server_fixture.hpp"

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <string>

namespace chatterbox::test_support {
namespace {

class storage_failures_test : public server_test {
 protected:
  void SetUp() override {
    CHATTERBOX_SQLITE_ONLY("a full or locked database file");
    server_test::SetUp();
  }

  // A second connection to the server's database file, as an operator's shell would open.
  // Waits for the server's own commits (a login's token, a session's last-seen time are written
  // just after the request is answered), as `sqlite3` with `.timeout` would: the tests are about
  // the server waiting for this connection, not the other way round.
  SQLite::Database operator_connection() {
    return SQLite::Database(file("chat.db"), SQLite::OPEN_READWRITE, 5000);
  }

  int stored_messages(const std::string& text) {
    SQLite::Database reader(file("chat.db"), SQLite::OPEN_READONLY);
    SQLite::Statement count(reader, "SELECT count(*) FROM messages WHERE text = ?");
    count.bind(1, text);
    count.executeStep();
    return count.getColumn(0).getInt();
  }
};

TEST_F(storage_failures_test, a_write_lock_held_elsewhere_refuses_writes_clearly_and_serves_the_rest) {
  restart({"--db-busy-timeout-ms", "300"});
  auto alice = connect("alice");
  auto bob = connect("bob");
  token_for(port(), "carol");  // an account to log into while the lock is held
  alice->say(general, "before", "before the lock");

  auto shell = operator_connection();
  shell.exec("BEGIN IMMEDIATE");  // holds the write lock, like `sqlite3 chat.db` mid-transaction

  alice->send(general, "during", "during the lock");
  // Reads do not need the lock: bob is served while alice's write waits.
  const auto page = bob->history(general, std::nullopt, 5);
  ASSERT_FALSE(page["messages"].empty());
  EXPECT_EQ(page["messages"].back()["text"], "before the lock");

  const auto refused = alice->expect("error");
  EXPECT_EQ(refused["code"], "internal");
  EXPECT_EQ(refused["ref"], "during");
  // A login needs a write (its token): a clear 503 with Retry-After, not a dropped connection.
  const auto busy_login = login(port(), "carol");
  EXPECT_EQ(busy_login.status, 503u) << busy_login.body;
  EXPECT_EQ(busy_login.body_json()["error"]["code"], "busy");
  EXPECT_FALSE(busy_login.header("retry-after").empty());
  EXPECT_EQ(http_request(port(), http::verb::get, "/api/health").status, 200u);

  shell.exec("COMMIT");
  // Nothing of the refused write was stored or broadcast; sent again, it goes through.
  EXPECT_EQ(stored_messages("during the lock"), 0);
  for (const auto& event : bob->drain()) EXPECT_NE(event["type"], "message") << event;
  EXPECT_EQ(alice->say(general, "during", "during the lock")["client_id"], "during");
  EXPECT_EQ(bob->expect("message")["text"], "during the lock");
  EXPECT_EQ(stored_messages("during the lock"), 1);
  EXPECT_EQ(login(port(), "carol").status, 200u);
  EXPECT_TRUE(server_->running());
}

TEST_F(storage_failures_test, a_lock_held_past_the_default_busy_timeout_ends_no_process) {
  // A backup holding the lock for longer than the server will wait (5 s by default): a login
  // meanwhile used to throw out of the event loop and end the process for everyone.
  token_for(port(), "carol");
  auto bob = connect("bob");
  auto shell = operator_connection();
  shell.exec("BEGIN IMMEDIATE");
  const auto busy_login = login(port(), "carol");
  EXPECT_EQ(busy_login.status, 503u) << busy_login.body;
  shell.exec("COMMIT");
  EXPECT_TRUE(server_->running()) << server_->output();
  EXPECT_EQ(bob->say(general, "after", "still here")["client_id"], "after");
}

TEST_F(storage_failures_test, a_lock_shorter_than_the_busy_timeout_only_delays_the_ack) {
  restart({"--db-busy-timeout-ms", "20000"});
  auto alice = connect("alice");
  auto bob = connect("bob");
  {
    auto shell = operator_connection();
    shell.exec("BEGIN IMMEDIATE");
    alice->send(general, "patient", "waits for the lock");
    // The event loop is not stuck in SQLite: bob's requests are answered meanwhile, and the
    // write has been neither acked nor broadcast.
    for (const auto& event : bob->drain()) EXPECT_NE(event["type"], "message") << event;
    for (const auto& event : alice->drain()) EXPECT_NE(event["type"], "ack") << event;
    shell.exec("COMMIT");
  }
  EXPECT_EQ(alice->expect("ack")["client_id"], "patient");
  EXPECT_EQ(bob->expect("message")["text"], "waits for the lock");
}

TEST_F(storage_failures_test, a_full_database_refuses_writes_keeps_serving_reads_and_recovers) {
  // Ballast an operator can delete later, then a size cap just above the file's size.
  server_->terminate();
  std::int64_t bytes = 0;
  {
    auto shell = operator_connection();
    shell.exec("CREATE TABLE ballast (b BLOB)");
    shell.exec("INSERT INTO ballast VALUES (zeroblob(1000000))");
    shell.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    bytes = shell.execAndGet("PRAGMA page_count").getInt64() *
            shell.execAndGet("PRAGMA page_size").getInt64();
  }
  start({"--max-db-bytes", std::to_string(bytes + 64 * 1024)});
  auto alice = connect("alice");
  const auto bob_token = token_for(port(), "bob");
  auto bob = ws_client::connect(port(), bob_token);

  std::string filler;
  for (int i = 0; i < 3900; ++i) filler += "\U0001F600";  // 16 KB
  int stored = 0;
  json refused;
  for (int i = 0; i < 100 && refused.is_null(); ++i) {
    alice->send(general, "fill-" + std::to_string(i), filler);
    for (;;) {
      auto event = alice->next();
      ASSERT_TRUE(event) << "no answer to a send";
      if ((*event)["type"] == "ack") {
        ++stored;
        break;
      }
      if ((*event)["type"] == "error") {
        refused = *event;
        break;
      }
    }
  }
  ASSERT_FALSE(refused.is_null()) << "the database never filled up";
  EXPECT_EQ(refused["code"], "internal");
  EXPECT_GT(stored, 0);

  // Reads go on: a sync, a new connection of a logged-in user and its history.
  EXPECT_FALSE(bob->sync(0)["messages"].empty());
  auto bob_again = ws_client::connect(port(), bob_token);
  EXPECT_GT(bob_again->hello_room(general)["last_id"].get<std::int64_t>(), 0);
  EXPECT_FALSE(bob_again->history(general)["messages"].empty());
  // A small write (a login's token) may still fit in a page's free space, or be refused with
  // a clear 503: never a dropped connection.
  const auto status = login(port(), "alice").status;
  EXPECT_TRUE(status == 200u || status == 503u) << status;

  {
    auto shell = operator_connection();
    shell.exec("DROP TABLE ballast");  // the operator frees space
  }
  EXPECT_EQ(alice->say(general, "after", "room again")["client_id"], "after");
  EXPECT_EQ(login(port(), "alice").status, 200u);
  EXPECT_TRUE(server_->running());
}

}  // namespace
}  // namespace chatterbox::test_support
