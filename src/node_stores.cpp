#include "chatterbox/node_stores.hpp"

#include "chatterbox/postgres/pg_connection.hpp"
#include "chatterbox/postgres/pg_schema.hpp"
#include "chatterbox/postgres/pg_values.hpp"

#include <spdlog/spdlog.h>

#include <optional>
#include <stdexcept>

namespace chatterbox {
namespace {

// One export at a time, held in memory while it is sent: 128 MiB is years of a busy team's
// room; `chatterbox export` writes any size to a file.
constexpr std::size_t max_export_bytes = 128 * 1024 * 1024;

}  // namespace

sqlite_node::sqlite_node(boost::asio::io_context& io, const server_config& config)
    : db(config.db_path, config.synchronous, config.max_db_bytes),
      checkpointer(db.handle()),
      users(db.handle()),
      tokens(db.handle()),
      messages(db.handle()),
      rooms(db.handle()),
      mentions(db.handle()),
      reactions(db.handle()),
      file_rows(db.handle()),
      accounts(db.handle()),
      registration(db.handle()),
      resets(db.handle()),
      audit(db.handle()),
      exports(
          io, [path = config.db_path] { return sqlite_history(path); }, max_export_bytes),
      presence(db.handle()),
      writes(io, db.handle(), write_batcher::limits{.lock_wait = config.db_busy_timeout},
             checkpointer),
      files(io, files_dir_of(config)),
      uploads(file_rows, writes),
      sweeper(io, uploads, files),
      sessions(users, tokens, &registration, writes),
      admin({users, tokens, accounts, registration, resets, audit}, writes) {}

chat_storage sqlite_node::chat() {
  return chat_storage{messages,
                      rooms,
                      mentions,
                      reactions,
                      users,
                      writes,
                      db.handle(),
                      &file_rows,
                      [this](std::string sha256) { files.remove_blob(std::move(sha256)); }};
}

postgres_node::postgres_node(boost::asio::io_context& io, const server_config& config)
    : writes(io, config.postgres_url.value()),
      rooms(),
      chat(writes, rooms),
      sessions(writes),
      admin(writes),
      files(io, files_dir_of(config), true),
      uploads(writes),
      sweeper(io, uploads, files),
      exports(
          io, [url = *config.postgres_url] { return postgres_history(url); }, max_export_bytes) {
  const auto& url = *config.postgres_url;
  // The schema first, on a connection of its own (nodes starting together take turns on an
  // advisory lock inside migrate_postgres).
  std::optional<std::string> lost;
  bool connected = false;
  auto schema = pg_connection::create(io, url, {},
                                      {.connected = [&] { connected = true; },
                                       .lost = [&](const std::string& why) { lost = why; }});
  schema->start();
  run_until(
      io, [&] { return connected || lost.has_value(); }, "connect to PostgreSQL");
  if (!connected) throw std::runtime_error("cannot connect to PostgreSQL: " + lost.value_or(""));
  std::optional<pg_migration_outcome> migrated;
  migrate_postgres(*schema, pg_migrations(),
                   [&](const pg_migration_outcome& outcome) { migrated = outcome; });
  run_until(
      io, [&] { return migrated.has_value(); }, "bring the PostgreSQL schema up to date");
  schema->close();
  if (!migrated->version) {
    throw std::runtime_error("cannot bring the PostgreSQL schema up to date: " + migrated->error);
  }
  spdlog::info("PostgreSQL schema at version {}", *migrated->version);

  writes.start();
  std::optional<bool> read;
  chat.load([&](bool ok, chat_snapshot& snapshot) {
    read = ok;
    if (ok) loaded = std::move(snapshot);
  });
  run_until(
      io, [&] { return read.has_value(); }, "load the chat from PostgreSQL");
  if (!*read) throw std::runtime_error("cannot load the chat from PostgreSQL");
}

std::vector<present_user> postgres_node::take_presence(boost::asio::io_context& io,
                                                       std::int64_t newer_than_ms) {
  std::optional<std::vector<present_user>> taken;
  writes.submit(
      "WITH taken AS (DELETE FROM presence_snapshot RETURNING user_id, saved_at) "
      "SELECT t.user_id, u.username FROM taken t JOIN users u ON u.id = t.user_id "
      "WHERE t.saved_at > $1",
      {std::to_string(newer_than_ms)}, [&taken](const pg_result* rows) {
        taken.emplace();
        if (rows == nullptr) return;
        for (const auto& row : rows->rows) {
          taken->push_back({pg_values::integer(row.at(0)), row.at(1).value_or("")});
        }
      });
  run_until(
      io, [&] { return taken.has_value(); }, "read who was online");
  return std::move(*taken);
}

void postgres_node::save_presence(const std::vector<present_user>& users, std::int64_t now_ms) {
  if (users.empty()) return;
  std::vector<std::int64_t> ids;
  for (const auto& user : users) ids.push_back(user.id);
  writes.submit(
      "INSERT INTO presence_snapshot (user_id, saved_at) SELECT unnest($1::bigint[]), $2 "
      "ON CONFLICT (user_id) DO UPDATE SET saved_at = EXCLUDED.saved_at",
      {pg_values::bigint_array(ids), std::to_string(now_ms)}, [](const pg_result* rows) {
        if (rows == nullptr) spdlog::warn("could not save who is online for the next start");
      });
}

void postgres_node::run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                              const std::string& what) {
  const auto deadline = std::chrono::steady_clock::now() + startup_limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      throw std::runtime_error("gave up after " + std::to_string(startup_limit.count()) +
                               " s trying to " + what);
    }
    io.run_one_for(std::chrono::milliseconds(100));
    if (io.stopped()) io.restart();
  }
}

}  // namespace chatterbox
