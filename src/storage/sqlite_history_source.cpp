// history_source on the SQLite file: a read-only connection of its own (the WAL lets the
// server write meanwhile), one read transaction per export.

#include "chatterbox/storage/history_source.hpp"

#include "statement_scope.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>


namespace chatterbox {
namespace {

class sqlite_history_source final : public history_source {
 public:
  explicit sqlite_history_source(const std::string& db_path)
      : db_(db_path, SQLite::OPEN_READONLY),
        rooms_(db_,
               "SELECT id, kind, coalesce(name, ''), archived, created_at FROM rooms "
               "WHERE ?1 IS NULL OR id = ?1 ORDER BY id"),
        members_(db_,
                 "SELECT u.username FROM room_members m JOIN users u ON u.id = m.user_id "
                 "WHERE m.room_id = ? ORDER BY u.username"),
        messages_(db_,
                  "SELECT m.id, u.username, m.ts, m.text, m.edited, m.reply_to, f.name, f.size, "
                  "f.type FROM messages m JOIN users u ON u.id = m.user_id "
                  "LEFT JOIN files f ON f.message_id = m.id "
                  "WHERE m.room_id = ? AND m.deleted = 0 ORDER BY m.id"),
        reactions_(db_,
                   "SELECT r.message_id, r.emoji, u.username FROM reactions r "
                   "JOIN messages m ON m.id = r.message_id JOIN users u ON u.id = r.user_id "
                   "WHERE m.room_id = ? AND m.deleted = 0 ORDER BY r.message_id, r.seq") {
    db_.setBusyTimeout(5000);  // a reader waits only for a checkpoint's brief lock
  }

  void begin() override { db_.exec("BEGIN"); }
  // Only read: nothing to commit; tryExec, since a failed BEGIN left nothing to end.
  void end() override { db_.tryExec("ROLLBACK"); }

  std::optional<std::int64_t> room_named(std::string_view name) override {
    SQLite::Statement s(db_, "SELECT id FROM rooms WHERE name = ?");
    s.bind(1, std::string(name));
    if (!s.executeStep()) return std::nullopt;
    return s.getColumn(0).getInt64();
  }

  std::vector<export_room> rooms(std::optional<std::int64_t> only) override {
    std::vector<export_room> out;
    {
      statement_scope s(rooms_);
      if (only) s.bind(1, *only);
      while (s->executeStep()) {
        out.push_back(export_room{s->getColumn(0).getInt64(),
                                  s->getColumn(1).getString(),
                                  s->getColumn(2).getString(),
                                  s->getColumn(3).getInt() != 0,
                                  s->getColumn(4).getInt64(),
                                  {}});
      }
    }
    for (auto& room : out) {
      if (room.kind == "open") continue;
      statement_scope s(members_);
      s.bind(1, room.id);
      while (s->executeStep()) room.members.push_back(s->getColumn(0).getString());
    }
    return out;
  }

  void messages(std::int64_t room,
                const std::function<bool(const export_message&)>& each) override {
    statement_scope reactions(reactions_);
    reactions.bind(1, room);
    bool more_reactions = reactions->executeStep();
    statement_scope s(messages_);
    s.bind(1, room);
    while (s->executeStep()) {
      export_message m;
      m.id = s->getColumn(0).getInt64();
      m.user = s->getColumn(1).getString();
      m.ts = s->getColumn(2).getInt64();
      m.text = s->getColumn(3).getString();
      m.edited = s->getColumn(4).getInt() != 0;
      if (!s->getColumn(5).isNull()) m.reply_to = s->getColumn(5).getInt64();
      if (!s->getColumn(6).isNull()) {
        m.file_name = s->getColumn(6).getString();
        m.file_size = s->getColumn(7).getInt64();
        m.file_type = s->getColumn(8).getString();
      }
      // Both in message order: the reactions of this message are next in theirs.
      while (more_reactions && reactions->getColumn(0).getInt64() < m.id) {
        more_reactions = reactions->executeStep();
      }
      while (more_reactions && reactions->getColumn(0).getInt64() == m.id) {
        m.add_reaction(reactions->getColumn(1).getString(), reactions->getColumn(2).getString());
        more_reactions = reactions->executeStep();
      }
      if (!each(m)) return;
    }
  }

 private:
  SQLite::Database db_;
  SQLite::Statement rooms_;
  SQLite::Statement members_;
  SQLite::Statement messages_;
  SQLite::Statement reactions_;
};

}  // namespace

std::unique_ptr<history_source> sqlite_history(const std::string& db_path) {
  return std::make_unique<sqlite_history_source>(db_path);
}

}  // namespace chatterbox
