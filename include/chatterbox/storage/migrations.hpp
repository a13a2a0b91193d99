#pragma once

#include <SQLiteCpp/Database.h>

#include <span>
#include <string_view>

namespace chatterbox {

// One schema step. The list index decides the version: entry i takes user_version from i to i+1,
// so a new schema change is appended and existing entries are never edited once released.
struct migration {
  std::string_view description;
  std::string_view sql;
};

// The migrations this binary knows, oldest first (migration 1 is the embedded schema.sql).
std::span<const migration> migrations();

// Applies every migration beyond the database's user_version, each in its own transaction
// together with the user_version bump, so a crash leaves the file at a consistent version.
// Throws std::runtime_error when the file is newer than `list` (written by a later binary).
// Returns the resulting user_version.
int apply_migrations(SQLite::Database& db, std::span<const migration> list);

}  // namespace chatterbox
