#include "chatterbox/storage/audit_log.hpp"

#include "statement_scope.hpp"

namespace chatterbox {

audit_log::audit_log(SQLite::Database& db)
    : insert_(db,
              "INSERT INTO admin_audit (at, admin_id, action, user_id, detail) "
              "VALUES (?, ?, ?, ?, ?)"),
      recent_(db,
              "SELECT a.at, b.username, a.action, u.username, a.detail FROM admin_audit a "
              "LEFT JOIN users b ON b.id = a.admin_id LEFT JOIN users u ON u.id = a.user_id "
              "ORDER BY a.id DESC LIMIT ?") {}

void audit_log::record(std::optional<std::int64_t> by, std::string_view action,
                       std::optional<std::int64_t> user_id, std::string_view detail,
                       std::int64_t now_ms) {
  statement_scope s(insert_);
  s.bind(1, now_ms);
  if (by) s.bind(2, *by);  // else NULL: bindings are cleared after each use
  s.bind(3, std::string(action));
  if (user_id) s.bind(4, *user_id);
  s.bind(5, std::string(detail));
  s->exec();
}

std::vector<audit_entry> audit_log::recent(int limit) {
  statement_scope s(recent_);
  s.bind(1, limit);
  std::vector<audit_entry> out;
  while (s->executeStep()) {
    audit_entry entry;
    entry.at = s->getColumn(0).getInt64();
    if (!s->getColumn(1).isNull()) entry.admin = s->getColumn(1).getString();
    entry.action = s->getColumn(2).getString();
    if (!s->getColumn(3).isNull()) entry.user = s->getColumn(3).getString();
    entry.detail = s->getColumn(4).getString();
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace chatterbox
