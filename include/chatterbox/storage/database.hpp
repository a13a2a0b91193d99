#pragma once

#include <SQLiteCpp/Database.h>

#include <string>

namespace chatterbox {

enum class sync_mode { normal, full };

// Opens the SQLite file, sets WAL / synchronous / foreign keys and brings the schema up to date
// with PRAGMA user_version migrations (schema.sql is migration 1). Throws on failure: a server
// that cannot open its database must not start.
class database {
 public:
  // Process-wide SQLite settings; call once before the first database is opened.
  static void configure_library();

  database(const std::string& path, sync_mode mode);

  SQLite::Database& handle() { return db_; }
  int schema_version();

 private:
  void configure(sync_mode mode);
  void migrate();

  SQLite::Database db_;
};

}  // namespace chatterbox
