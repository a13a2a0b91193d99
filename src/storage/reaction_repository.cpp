#include "chatterbox/storage/reaction_repository.hpp"

#include "statement_scope.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <unordered_map>

namespace chatterbox {

reaction_repository::reaction_repository(SQLite::Database& db)
    : add_(db,
           "INSERT INTO reactions (message_id, emoji, user_id, seq) VALUES (?, ?, ?, ?) "
           "ON CONFLICT DO NOTHING"),
      remove_(db, "DELETE FROM reactions WHERE message_id = ? AND emoji = ? AND user_id = ?"),
      count_(db, "SELECT count(*) FROM reactions WHERE message_id = ? AND emoji = ?"),
      emoji_count_(db, "SELECT count(DISTINCT emoji) FROM reactions WHERE message_id = ?"),
      clear_(db, "DELETE FROM reactions WHERE message_id = ?"),
      // In the order people reacted: emoji by first use, names by who came first.
      of_message_(db,
                  "SELECT r.message_id, r.emoji, r.user_id, u.username FROM reactions r "
                  "JOIN users u ON u.id = r.user_id WHERE r.message_id = ? ORDER BY r.seq"),
      of_range_(db,
                "SELECT r.message_id, r.emoji, r.user_id, u.username FROM reactions r "
                "JOIN users u ON u.id = r.user_id WHERE r.message_id BETWEEN ? AND ? "
                "ORDER BY r.message_id, r.seq") {}

bool reaction_repository::set(std::int64_t message_id, std::int64_t user_id,
                              std::string_view emoji, bool on, std::int64_t seq) {
  if (on) {
    statement_scope s(add_);
    s.bind(1, message_id);
    s.bind(2, emoji);
    s.bind(3, user_id);
    s.bind(4, seq);
    return s->exec() > 0;
  }
  statement_scope s(remove_);
  s.bind(1, message_id);
  s.bind(2, emoji);
  s.bind(3, user_id);
  return s->exec() > 0;
}

int reaction_repository::count(std::int64_t message_id, std::string_view emoji) {
  statement_scope s(count_);
  s.bind(1, message_id);
  s.bind(2, emoji);
  s->executeStep();
  return s->getColumn(0).getInt();
}

int reaction_repository::emoji_count(std::int64_t message_id) {
  statement_scope s(emoji_count_);
  s.bind(1, message_id);
  s->executeStep();
  return s->getColumn(0).getInt();
}

void reaction_repository::clear(std::int64_t message_id) {
  statement_scope s(clear_);
  s.bind(1, message_id);
  s->exec();
}

namespace {

// Adds one row (message_id, emoji, user_id, username) to the message's reactions.
void add_row(message& m, SQLite::Statement& row, std::int64_t viewer) {
  add_reaction(m, row.getColumn(1).getText(), row.getColumn(2).getInt64(),
               row.getColumn(3).getText(), viewer);
}

}  // namespace

void reaction_repository::attach(std::vector<message>& messages, std::int64_t viewer) {
  std::vector<message*> all;
  all.reserve(messages.size());
  for (auto& m : messages) all.push_back(&m);
  attach(all, viewer);
}

void reaction_repository::attach(std::span<message* const> messages, std::int64_t viewer) {
  std::unordered_map<std::int64_t, message*> wanted;
  std::int64_t low = std::numeric_limits<std::int64_t>::max();
  std::int64_t high = 0;
  for (auto* m : messages) {
    m->reactions.clear();
    if (m->deleted) continue;
    wanted.emplace(m->id, m);
    low = std::min(low, m->id);
    high = std::max(high, m->id);
  }
  if (wanted.empty()) return;
  // A history page is a run of nearly consecutive ids: one range scan of the primary key. The
  // messages of a sync page can lie far apart: a lookup each, so that other rooms' reactions in
  // between are not read.
  if (static_cast<std::size_t>(high - low) <= 4 * wanted.size()) {
    statement_scope s(of_range_);
    s.bind(1, low);
    s.bind(2, high);
    while (s->executeStep()) {
      const auto it = wanted.find(s->getColumn(0).getInt64());
      if (it != wanted.end()) add_row(*it->second, *s, viewer);
    }
    return;
  }
  for (const auto& [id, m] : wanted) {
    statement_scope s(of_message_);
    s.bind(1, id);
    while (s->executeStep()) add_row(*m, *s, viewer);
  }
}

}  // namespace chatterbox
