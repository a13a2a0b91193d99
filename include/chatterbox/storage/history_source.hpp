#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chatterbox {

struct export_room {
  std::int64_t id = 0;
  std::string kind;
  std::string name;
  bool archived = false;
  std::int64_t created_at = 0;
  std::vector<std::string> members;  // private rooms and DMs
};

struct export_message {
  std::int64_t id = 0;
  std::string user;
  std::int64_t ts = 0;
  std::string text;
  bool edited = false;
  std::optional<std::int64_t> reply_to;
  std::optional<std::string> file_name;
  std::int64_t file_size = 0;
  std::string file_type;
  std::vector<std::pair<std::string, std::vector<std::string>>> reactions;  // by first use

  // `user`'s reaction, read in the order reactions were made.
  void add_reaction(const std::string& emoji, std::string user) {
    auto it = std::find_if(reactions.begin(), reactions.end(),
                           [&](const auto& r) { return r.first == emoji; });
    if (it == reactions.end()) it = reactions.insert(reactions.end(), {emoji, {}});
    it->second.push_back(std::move(user));
  }
};

// What history_export reads, from one consistent moment (between begin and end), on a
// connection of its own that may block: exports run off the event loop. One per store: SQLite's
// file, or PostgreSQL (store/pg_history_source).
class history_source {
 public:
  virtual ~history_source() = default;
  virtual void begin() = 0;
  virtual void end() = 0;  // also after a failure
  virtual std::optional<std::int64_t> room_named(std::string_view name) = 0;
  // Every room (or `only`), by id; members filled in for private rooms and DMs.
  virtual std::vector<export_room> rooms(std::optional<std::int64_t> only) = 0;
  // The room's messages that are not deleted, in order, with their reactions; stops when
  // `each` answers false.
  virtual void messages(std::int64_t room,
                        const std::function<bool(const export_message&)>& each) = 0;
};

// The SQLite database file at `db_path`, read-only.
std::unique_ptr<history_source> sqlite_history(const std::string& db_path);
// PostgreSQL at `url` (--store postgres://…), shared by the nodes.
std::unique_ptr<history_source> postgres_history(const std::string& url);

}  // namespace chatterbox
