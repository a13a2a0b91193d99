#pragma once

#include "chatterbox/storage/database.hpp"

#include <SQLiteCpp/Statement.h>

#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <system_error>

namespace chatterbox::test_support {

// A migrated SQLite database of its own in the temp directory, removed with its WAL when done,
// with a statement and a one-value read at hand: the SQLite side of the store contract suites.
class sqlite_test_db {
 public:
  explicit sqlite_test_db(std::string_view prefix)
      : path_(std::filesystem::temp_directory_path() /
              (std::string(prefix) + "-" + std::to_string(std::random_device{}()))),
        db_(path_.string(), sync_mode::normal) {}
  ~sqlite_test_db() {
    std::error_code ignored;
    for (const auto* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(path_.string() + suffix, ignored);
    }
  }
  sqlite_test_db(const sqlite_test_db&) = delete;
  sqlite_test_db& operator=(const sqlite_test_db&) = delete;

  SQLite::Database& handle() { return db_.handle(); }
  void exec(std::string_view sql) { db_.handle().exec(std::string(sql)); }
  // The first column of the first row (nullopt: no row, or NULL).
  std::optional<std::string> value(std::string_view sql) {
    SQLite::Statement query(db_.handle(), std::string(sql));
    if (!query.executeStep() || query.getColumn(0).isNull()) return std::nullopt;
    return query.getColumn(0).getString();
  }

 private:
  std::filesystem::path path_;
  database db_;
};

}  // namespace chatterbox::test_support
