#include "report.hpp"
#include "scenarios.hpp"
#include "vocabulary.hpp"

#include "chatterbox/storage/database.hpp"
#include "chatterbox/storage/search_repository.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <chrono>
#include <iostream>
#include <random>
#include <vector>

namespace chatterbox::bench {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Authors for the seeded messages. Their password hash is not a valid argon2 string, so nobody
// can log in as them; the bench's own accounts are created through /api/login.
std::vector<std::int64_t> seed_authors(SQLite::Database& db, std::size_t count) {
  SQLite::Statement insert(db,
                           "INSERT OR IGNORE INTO users (username, password_hash, created_at) "
                           "VALUES (?, '!seeded', ?)");
  SQLite::Statement find(db, "SELECT id FROM users WHERE username = ?");
  // Like every account (protocol 2), a member of every open room (`general`).
  SQLite::Statement join(db,
                         "INSERT OR IGNORE INTO room_members (room_id, user_id) "
                         "SELECT id, ? FROM rooms WHERE kind = 'open'");
  std::vector<std::int64_t> ids;
  for (std::size_t k = 0; k < std::max<std::size_t>(count, 1); ++k) {
    const std::string name = "seed_" + std::to_string(k);
    insert.bind(1, name);
    insert.bind(2, now_ms());
    insert.exec();
    insert.reset();
    find.bind(1, name);
    const bool found = find.executeStep();
    if (found) ids.push_back(find.getColumn(0).getInt64());
    find.reset();
    if (!found) continue;
    join.bind(1, ids.back());
    join.exec();
    join.reset();
  }
  return ids;
}

}  // namespace

// Fills the database directly (all in `general`, room 1) (the server must not be running on it): the schema comes from the
// server's own migrations, then messages are appended in large transactions with seq = the
// next global seq, as the server would have assigned them.
int run_seed(const bench_options& o) {
  const auto start = std::chrono::steady_clock::now();
  chatterbox::database database(o.db_path, sync_mode::normal);
  SQLite::Database& db = database.handle();
  db.exec("PRAGMA synchronous = OFF");
  const auto authors = [&] {
    SQLite::Transaction t(db);
    auto ids = seed_authors(db, o.seed_users);
    t.commit();
    return ids;
  }();
  // Messages and rooms share one seq (protocol 2).
  std::int64_t seq = db.execAndGet(
                           "SELECT max((SELECT coalesce(max(seq), 0) FROM messages), "
                           "(SELECT coalesce(max(seq), 0) FROM rooms), "
                           "(SELECT coalesce(max(seq), 0) FROM room_departures))")
                         .getInt64();
  const std::int64_t first_ts = now_ms() - static_cast<std::int64_t>(o.messages);
  SQLite::Statement insert(
      db,
      "INSERT INTO messages (seq, user_id, client_id, text, ts, room_id) VALUES (?, ?, ?, ?, ?, 1)");
  const vocabulary words;
  std::mt19937_64 random(42);
  constexpr std::size_t batch = 100000;
  for (std::size_t done = 0; done < o.messages;) {
    SQLite::Transaction t(db);
    const std::size_t end = std::min(o.messages, done + batch);
    for (; done < end; ++done) {
      ++seq;
      insert.bind(1, seq);
      insert.bind(2, authors[done % authors.size()]);
      insert.bind(3, "seed-" + std::to_string(seq));
      // Words of a Zipf vocabulary (about as long as the pangram this used to be), so that
      // the search scenario's queries match as they would in real text.
      insert.bind(4, "seeded message " + std::to_string(seq) + ": " + words.sentence(random, 7));
      insert.bind(5, first_ts + static_cast<std::int64_t>(done));
      insert.exec();
      insert.reset();
    }
    // Indexed for search in the same transaction, as the server's write batches do.
    for (const auto& sql : search_repository::index_pending_sql()) db.exec(sql);
    t.commit();
  }
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  report r("seed");
  r.add("db", o.db_path);
  r.add("inserted", static_cast<double>(o.messages));
  r.add("total_messages",
        static_cast<double>(db.execAndGet("SELECT count(*) FROM messages").getInt64()));
  r.add("max_seq", static_cast<double>(seq));
  r.add("seconds", seconds, "s");
  publish(r, o.json_path);
  return 0;
}

}  // namespace chatterbox::bench
