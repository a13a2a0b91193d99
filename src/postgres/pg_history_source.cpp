// history_source on PostgreSQL: a blocking libpq connection of its own, made on the export's
// worker thread (never on the event loop), one REPEATABLE READ READ ONLY transaction per export
// so that every room is read as of one moment while the nodes go on writing.

#include "chatterbox/storage/history_source.hpp"

#include <libpq-fe.h>

#include <memory>
#include <stdexcept>

namespace chatterbox {
namespace {

using result_ptr = std::unique_ptr<PGresult, decltype(&PQclear)>;

class pg_history_source final : public history_source {
 public:
  explicit pg_history_source(const std::string& url) : conn_(PQconnectdb(url.c_str()), &PQfinish) {
    if (PQstatus(conn_.get()) != CONNECTION_OK) {
      throw std::runtime_error("cannot connect to PostgreSQL: " +
                               std::string(PQerrorMessage(conn_.get())));
    }
  }

  void begin() override { query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", {}); }
  void end() override { result_ptr(PQexec(conn_.get(), "ROLLBACK"), &PQclear); }

  std::optional<std::int64_t> room_named(std::string_view name) override {
    const auto rows =
        query("SELECT id FROM rooms WHERE lower(name) = lower($1)", {std::string(name)});
    if (PQntuples(rows.get()) == 0) return std::nullopt;
    return integer(rows, 0, 0);
  }

  std::vector<export_room> rooms(std::optional<std::int64_t> only) override {
    const auto rows = query(
        "SELECT id, kind, coalesce(name, ''), archived, created_at FROM rooms "
        "WHERE $1::bigint IS NULL OR id = $1 ORDER BY id",
        {only ? std::optional<std::string>(std::to_string(*only)) : std::nullopt});
    std::vector<export_room> out;
    for (int i = 0; i < PQntuples(rows.get()); ++i) {
      out.push_back(export_room{integer(rows, i, 0),
                                text(rows, i, 1),
                                text(rows, i, 2),
                                text(rows, i, 3) == "t",
                                integer(rows, i, 4),
                                {}});
    }
    for (auto& room : out) {
      if (room.kind == "open") continue;
      const auto members = query(
          "SELECT u.username FROM room_members m JOIN users u ON u.id = m.user_id "
          "WHERE m.room_id = $1 ORDER BY u.username",
          {std::to_string(room.id)});
      for (int i = 0; i < PQntuples(members.get()); ++i) {
        room.members.push_back(text(members, i, 0));
      }
    }
    return out;
  }

  void messages(std::int64_t room,
                const std::function<bool(const export_message&)>& each) override {
    const std::string id = std::to_string(room);
    const auto rows = query(
        "SELECT m.id, u.username, m.ts, m.text, m.edited, m.reply_to, f.name, f.size, f.type "
        "FROM messages m JOIN users u ON u.id = m.user_id "
        "LEFT JOIN files f ON f.message_id = m.id "
        "WHERE m.room_id = $1 AND NOT m.deleted ORDER BY m.id",
        {id});
    const auto reactions = query(
        "SELECT r.message_id, r.emoji, u.username FROM reactions r "
        "JOIN messages m ON m.id = r.message_id JOIN users u ON u.id = r.user_id "
        "WHERE m.room_id = $1 AND NOT m.deleted ORDER BY r.message_id, r.seq",
        {id});
    const int reaction_count = PQntuples(reactions.get());
    int next_reaction = 0;
    for (int i = 0; i < PQntuples(rows.get()); ++i) {
      export_message m;
      m.id = integer(rows, i, 0);
      m.user = text(rows, i, 1);
      m.ts = integer(rows, i, 2);
      m.text = text(rows, i, 3);
      m.edited = text(rows, i, 4) == "t";
      if (!PQgetisnull(rows.get(), i, 5)) m.reply_to = integer(rows, i, 5);
      if (!PQgetisnull(rows.get(), i, 6)) {
        m.file_name = text(rows, i, 6);
        m.file_size = integer(rows, i, 7);
        m.file_type = text(rows, i, 8);
      }
      // Both in message order: the reactions of this message are next in theirs.
      while (next_reaction < reaction_count && integer(reactions, next_reaction, 0) < m.id) {
        ++next_reaction;
      }
      while (next_reaction < reaction_count && integer(reactions, next_reaction, 0) == m.id) {
        m.add_reaction(text(reactions, next_reaction, 1), text(reactions, next_reaction, 2));
        ++next_reaction;
      }
      if (!each(m)) return;
    }
  }

 private:
  // Parameters bound as text, as everywhere on PostgreSQL (pg_connection).
  result_ptr query(const char* sql, const std::vector<std::optional<std::string>>& params) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    result_ptr result(PQexecParams(conn_.get(), sql, static_cast<int>(values.size()), nullptr,
                                   values.data(), nullptr, nullptr, 0),
                      &PQclear);
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      throw std::runtime_error("export: " + std::string(PQresultErrorMessage(result.get())));
    }
    return result;
  }
  static std::string text(const result_ptr& rows, int row, int column) {
    return std::string(PQgetvalue(rows.get(), row, column),
                       static_cast<std::size_t>(PQgetlength(rows.get(), row, column)));
  }
  static std::int64_t integer(const result_ptr& rows, int row, int column) {
    return std::stoll(text(rows, row, column));
  }

  std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
};

}  // namespace

std::unique_ptr<history_source> postgres_history(const std::string& url) {
  return std::make_unique<pg_history_source>(url);
}

}  // namespace chatterbox
