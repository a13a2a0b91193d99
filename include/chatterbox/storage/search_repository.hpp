#pragma once

#include "chatterbox/chat/message.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace chatterbox {

// What to look for, already resolved to ids (docs/protocol.md, "search").
struct search_request {
  std::int64_t user_id = 0;  // only rooms this user is a member of (room_members)
  std::string match;         // an FTS5 expression built by fts5_match; empty: filters only
  std::vector<std::int64_t> authors;  // any of them; empty: anyone
  std::vector<std::int64_t> rooms;    // any of them; empty: any of the user's rooms
  std::optional<std::int64_t> since_ms;  // ts >= since_ms
  std::optional<std::int64_t> until_ms;  // ts < until_ms
  std::optional<std::int64_t> before;    // id < before
  int limit = 20;
  // At most this many candidates (matches of the words, or messages when there are no words)
  // are looked at per page, in the user's rooms or not, so a word common in rooms the user is
  // not in costs a bounded walk; the page then ends early and says where it stopped.
  int scan_limit = 10'000;
};

struct search_hit {
  message found;
  // FTS5's snippet of the text: matched words between \x01 and \x02 (characters message text
  // can never hold), `…` where it was cut. Empty for a filters-only search.
  std::string snippet;
};

struct search_page {
  std::vector<search_hit> hits;  // at most `limit`, newest first
  // Set when the walk stopped at scan_limit candidates: ids below this one were not looked at
  // (the next page starts here).
  std::optional<std::int64_t> stopped_at;
};

// The full-text index (messages_fts, kept by triggers: see migrations.cpp) and the filters
// around it. Statements prepared once; the user's text only ever reaches them bound, as an
// expression made of quoted strings.
class search_repository {
 public:
  explicit search_repository(SQLite::Database& db);

  // Non-deleted messages of the user's rooms that match, newest first, at most `limit`.
  search_page search(const search_request& request);

  // Indexes the messages stored since the last time (messages_fts_pending, see migrations.cpp).
  // write_batcher runs these statements in every batch, before COMMIT; index_pending runs them
  // in a transaction of its own (at startup, for rows other programs wrote).
  static const std::vector<std::string>& index_pending_sql();
  void index_pending();

 private:
  SQLite::Statement matching_;
  SQLite::Statement filtered_;
  SQLite::Statement matching_floor_;
  SQLite::Statement filtered_floor_;
  SQLite::Database& db_;
};

}  // namespace chatterbox
