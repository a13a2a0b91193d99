#pragma once

#include <SQLiteCpp/Statement.h>

#include <string>
#include <string_view>

namespace chatterbox {

// Repositories keep their statements prepared for the connection's lifetime. Every use goes
// through this scope so that, however the call ends (even by exception), the statement is reset
// and its parameters cleared: a statement left mid-step would pin an old WAL read snapshot and
// hand stale bindings to the next caller.
class statement_scope {
 public:
  explicit statement_scope(SQLite::Statement& statement) noexcept : statement_(statement) {}
  statement_scope(const statement_scope&) = delete;
  statement_scope& operator=(const statement_scope&) = delete;
  ~statement_scope() {
    statement_.tryReset();
    try {
      statement_.clearBindings();
    } catch (...) {
      // sqlite3_clear_bindings cannot fail on a prepared statement; nothing useful to do here.
    }
  }

  SQLite::Statement& operator*() noexcept { return statement_; }
  SQLite::Statement* operator->() noexcept { return &statement_; }

  template <typename T>
  void bind(int index, const T& value) {
    statement_.bind(index, value);
  }
  // SQLiteCpp only binds text from std::string / C strings; a string_view need not be
  // NUL-terminated, so copy it (SQLite copies again, but texts are at most a few KiB).
  void bind(int index, std::string_view text) { statement_.bind(index, std::string(text)); }

 private:
  SQLite::Statement& statement_;
};

}  // namespace chatterbox
