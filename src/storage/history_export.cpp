#include "chatterbox/storage/history_export.hpp"

#include "statement_scope.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <ctime>
#include <map>
#include <vector>

namespace chatterbox {
namespace {

using json = nlohmann::json;

struct room_row {
  std::int64_t id = 0;
  std::string kind;
  std::string name;
  bool archived = false;
  std::int64_t created_at = 0;
  std::vector<std::string> members;  // private rooms and DMs
};

struct message_row {
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
};

// "2026-11-30" / "09:14" in UTC: an export is read anywhere, so its times say their zone.
std::string utc(std::int64_t ms, const char* format) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char out[64];
  const auto n = std::strftime(out, sizeof out, format, &tm);
  return std::string(out, n);
}

std::string title_of(const room_row& room) {
  if (room.kind == "dm") {
    std::string names;
    for (const auto& m : room.members) names.append(names.empty() ? "" : ", ").append(m);
    return "Direct message: " + names;
  }
  return (room.kind == "private" ? "Private room " : "#") + room.name;
}

// Each line of a message as Markdown that stays the message's: a line that would start a
// heading is escaped, so a message cannot restructure the export.
void write_markdown_text(std::ostream& out, const std::string& text) {
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = text.find('\n', start);
    const auto line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (line.starts_with("#")) out << '\\';
    out << line << "  \n";
    if (end == std::string::npos) break;
    start = end + 1;
  }
}

class exporter {
 public:
  exporter(SQLite::Database& db, std::ostream& out, export_format format, std::size_t max_bytes)
      : out_(out),
        format_(format),
        max_bytes_(max_bytes),
        rooms_(db,
               "SELECT id, kind, coalesce(name, ''), archived, created_at FROM rooms "
               "WHERE ?1 IS NULL OR id = ?1 ORDER BY id"),
        members_(db,
                 "SELECT u.username FROM room_members m JOIN users u ON u.id = m.user_id "
                 "WHERE m.room_id = ? ORDER BY u.username"),
        messages_(db,
                  "SELECT m.id, u.username, m.ts, m.text, m.edited, m.reply_to, f.name, f.size, "
                  "f.type FROM messages m JOIN users u ON u.id = m.user_id "
                  "LEFT JOIN files f ON f.message_id = m.id "
                  "WHERE m.room_id = ? AND m.deleted = 0 ORDER BY m.id"),
        reactions_(db,
                   "SELECT r.message_id, r.emoji, u.username FROM reactions r "
                   "JOIN messages m ON m.id = r.message_id JOIN users u ON u.id = r.user_id "
                   "WHERE m.room_id = ? AND m.deleted = 0 ORDER BY r.message_id, r.seq") {}

  export_summary run(std::optional<std::int64_t> only, std::int64_t now_ms) {
    std::vector<room_row> rooms;
    {
      statement_scope s(rooms_);
      if (only) s.bind(1, *only);
      while (s->executeStep()) {
        rooms.push_back(room_row{s->getColumn(0).getInt64(), s->getColumn(1).getString(),
                                 s->getColumn(2).getString(), s->getColumn(3).getInt() != 0,
                                 s->getColumn(4).getInt64(), {}});
      }
    }
    if (format_ == export_format::json) {
      out_ << "{\"exported_at\":" << now_ms << ",\"rooms\":[";
    } else {
      out_ << "# Chatterbox export\n\nExported " << utc(now_ms, "%Y-%m-%d %H:%M UTC")
           << ". Times are UTC.\n";
    }
    for (auto& room : rooms) {
      if (room.kind != "open") room.members = members_of(room.id);
      write_room(room);
      ++summary_.rooms;
      if (summary_.too_large) break;
    }
    out_ << (format_ == export_format::json ? "]}\n" : "");
    return summary_;
  }

 private:
  std::vector<std::string> members_of(std::int64_t room) {
    statement_scope s(members_);
    s.bind(1, room);
    std::vector<std::string> out;
    while (s->executeStep()) out.push_back(s->getColumn(0).getString());
    return out;
  }

  void write_room(const room_row& room) {
    if (format_ == export_format::json) {
      json head{{"id", room.id}, {"kind", room.kind}, {"archived", room.archived},
                {"created_at", room.created_at}};
      if (room.kind != "dm") head["name"] = room.name;
      if (room.kind != "open") head["members"] = room.members;
      auto text = head.dump(-1, ' ', false, json::error_handler_t::replace);
      text.pop_back();  // the closing brace: the messages go in first
      out_ << (summary_.rooms > 0 ? "," : "") << text << ",\"messages\":[";
    } else {
      out_ << "\n# " << title_of(room) << (room.archived ? " (archived)" : "") << "\n";
    }
    std::size_t written = 0;
    std::string day;
    for_each_message(room.id, [&](const message_row& m) {
      if (format_ == export_format::json) {
        if (written > 0) out_ << ',';
        write_json(m);
      } else {
        if (const auto d = utc(m.ts, "%A, %d %B %Y"); d != day) {
          day = d;
          out_ << "\n## " << day << "\n";
        }
        write_markdown(m);
      }
      ++written;
    });
    out_ << (format_ == export_format::json ? "]}" : "");
  }

  template <class Each>
  void for_each_message(std::int64_t room, Each&& each) {
    statement_scope reactions(reactions_);
    reactions.bind(1, room);
    bool more_reactions = reactions->executeStep();
    statement_scope s(messages_);
    s.bind(1, room);
    while (s->executeStep()) {
      message_row m;
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
        const auto emoji = reactions->getColumn(1).getString();
        auto it = std::find_if(m.reactions.begin(), m.reactions.end(),
                               [&](const auto& r) { return r.first == emoji; });
        if (it == m.reactions.end()) it = m.reactions.insert(m.reactions.end(), {emoji, {}});
        it->second.push_back(reactions->getColumn(2).getString());
        more_reactions = reactions->executeStep();
      }
      each(m);
      ++summary_.messages;
      if (max_bytes_ > 0 && static_cast<std::size_t>(out_.tellp()) > max_bytes_) {
        summary_.too_large = true;
        return;
      }
    }
  }

  void write_json(const message_row& m) {
    json j{{"id", m.id}, {"user", m.user}, {"ts", m.ts}, {"text", m.text}};
    if (m.edited) j["edited"] = true;
    if (m.reply_to) j["reply_to"] = *m.reply_to;
    if (m.file_name) {
      j["file"] = {{"name", *m.file_name}, {"size", m.file_size}, {"type", m.file_type}};
    }
    if (!m.reactions.empty()) {
      auto reactions = json::object();
      for (const auto& [emoji, users] : m.reactions) reactions[emoji] = users;
      j["reactions"] = std::move(reactions);
    }
    out_ << j.dump(-1, ' ', false, json::error_handler_t::replace);
  }

  void write_markdown(const message_row& m) {
    out_ << "\n**" << m.user << "** · " << utc(m.ts, "%H:%M") << (m.edited ? " (edited)" : "")
         << (m.reply_to ? " · in reply to message " + std::to_string(*m.reply_to) : "")
         << "  \n";
    if (!m.text.empty()) write_markdown_text(out_, m.text);
    if (m.file_name) out_ << "📎 " << *m.file_name << " (" << m.file_size << " bytes)  \n";
    for (const auto& [emoji, users] : m.reactions) {
      out_ << emoji << ' ';
      for (std::size_t i = 0; i < users.size(); ++i) out_ << (i > 0 ? ", " : "") << users[i];
      out_ << "  \n";
    }
  }

  std::ostream& out_;
  export_format format_;
  std::size_t max_bytes_;
  export_summary summary_;
  SQLite::Statement rooms_;
  SQLite::Statement members_;
  SQLite::Statement messages_;
  SQLite::Statement reactions_;
};

}  // namespace

std::optional<export_format> parse_export_format(std::string_view text) {
  if (text == "json") return export_format::json;
  if (text == "markdown" || text == "md") return export_format::markdown;
  return std::nullopt;
}

history_export::history_export(const std::string& db_path)
    : db_(db_path, SQLite::OPEN_READONLY) {
  db_.setBusyTimeout(5000);  // a reader waits only for a checkpoint's brief lock
}

std::optional<std::int64_t> history_export::room_named(std::string_view name) {
  SQLite::Statement s(db_, "SELECT id FROM rooms WHERE name = ?");
  s.bind(1, std::string(name));
  if (!s.executeStep()) return std::nullopt;
  return s.getColumn(0).getInt64();
}

export_summary history_export::write(std::ostream& out, export_format format,
                                     std::optional<std::int64_t> room, std::int64_t now_ms,
                                     std::size_t max_bytes) {
  // One read transaction: every room as of the same moment.
  db_.exec("BEGIN");
  try {
    exporter e(db_, out, format, max_bytes);
    const auto summary = e.run(room, now_ms);
    db_.exec("COMMIT");
    return summary;
  } catch (...) {
    db_.exec("ROLLBACK");
    throw;
  }
}

}  // namespace chatterbox
