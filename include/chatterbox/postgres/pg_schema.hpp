#pragma once

#include "chatterbox/storage/migrations.hpp"

#include <functional>
#include <optional>
#include <span>
#include <string>

namespace chatterbox {

class pg_connection;

// The PostgreSQL store's schema steps, oldest first (docs/scale-out.md). Entry i takes the
// database from version i to i+1; released entries are never edited, new ones are appended.
// Besides the tables, they create the functions each kind of write is (chatterbox_send, …): one
// statement per write, so a group commit is its statements and one sync, and an expected
// refusal (a resent client_id, a deleted original) is an answer, not an error that would undo
// the batch.
std::span<const migration> pg_migrations();

// The one statement that brings a database up to date: it waits for an advisory lock (nodes
// starting together take turns), refuses a database newer than `list`, and applies the missing
// steps with the version bump — all in one transaction, so a failed step leaves the database at
// its old version.
std::string pg_migration_script(std::span<const migration> list);

// Sends that statement and a sync on `connection`; `done` gets the resulting version, or the
// reason it failed (the server's message, or a lost connection).
struct pg_migration_outcome {
  std::optional<int> version{};
  std::string error{};
};
void migrate_postgres(pg_connection& connection, std::span<const migration> list,
                      std::function<void(const pg_migration_outcome&)> done);

}  // namespace chatterbox
