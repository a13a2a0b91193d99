#include "chatterbox/store/pg_file_index.hpp"

#include "chatterbox/postgres/pg_values.hpp"

#include "pg_answers.hpp"

#include <algorithm>
#include <utility>

namespace chatterbox {
namespace {

using pg_answers::answer_rows;
using pg_values::integer;
using pg_values::optional_integer;

constexpr auto bytes_of_user_sql = "SELECT coalesce(sum(size), 0) FROM files WHERE user_id = $1";
constexpr auto insert_file_sql =
    "INSERT INTO files (sha256, user_id, room_id, name, size, type, width, height, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
constexpr auto find_file_sql =
    "SELECT f.id, f.sha256, f.user_id, f.room_id, f.name, f.size, f.type, f.width, f.height, "
    "f.created_at, f.message_id, coalesce(m.deleted, false) FROM files f "
    "LEFT JOIN messages m ON m.id = f.message_id WHERE f.id = $1";
constexpr auto unused_blobs_sql =
    "SELECT b FROM unnest($1::text[]) b WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.sha256 = "
    "b)";
// The oldest unattached uploads, each blob with whether a row not removed here still names it
// (one statement sees the rows as they were before its own DELETE). SKIP LOCKED: nodes sweeping
// at once take different rows.
constexpr auto remove_unattached_sql =
    "WITH gone AS (DELETE FROM files WHERE id IN (SELECT id FROM files "
    "  WHERE message_id IS NULL AND created_at < $1 ORDER BY created_at LIMIT $2 "
    "  FOR UPDATE SKIP LOCKED) RETURNING id, sha256) "
    "SELECT g.sha256, EXISTS (SELECT 1 FROM files f WHERE f.sha256 = g.sha256 "
    "  AND f.id NOT IN (SELECT id FROM gone)) FROM gone g";

// A text[] literal of hex digests (nothing in them needs quoting).
std::string digest_array(const std::vector<std::string>& sha256s) {
  std::string out = "{";
  for (const auto& sha256 : sha256s) {
    if (out.size() > 1) out += ',';
    out += sha256;
  }
  return out + "}";
}

std::optional<std::int64_t> optional_value(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  return integer(text);
}

}  // namespace

void pg_file_index::bytes_of_user(std::int64_t user_id, answer<std::int64_t> then) {
  writes_.submit(bytes_of_user_sql, {std::to_string(user_id)},
                 answer_rows<std::int64_t>("bytes of user", std::move(then),
                                           [](std::int64_t& bytes, const pg_result& rows) {
                                             bytes = integer(rows.rows.at(0).at(0));
                                           }));
}

void pg_file_index::insert(file_record record, answer<file_record> then) {
  pg_connection::parameters params{record.sha256,
                                   std::to_string(record.user_id),
                                   std::to_string(record.room_id),
                                   record.name,
                                   std::to_string(record.size),
                                   record.type,
                                   optional_integer(record.width),
                                   optional_integer(record.height),
                                   std::to_string(record.created_at)};
  writes_.submit(insert_file_sql, std::move(params),
                 answer_rows<file_record>(
                     "store file", std::move(then),
                     [record = std::move(record)](file_record& stored, const pg_result& rows) {
                       stored = record;
                       stored.id = integer(rows.rows.at(0).at(0));
                     }));
}

void pg_file_index::find(std::int64_t id, answer<std::optional<file_record>> then) {
  writes_.submit(find_file_sql, {std::to_string(id)},
                 answer_rows<std::optional<file_record>>(
                     "find file", std::move(then),
                     [](std::optional<file_record>& found, const pg_result& rows) {
                       if (rows.rows.empty()) return;
                       const auto& row = rows.rows.front();
                       file_record f;
                       f.id = integer(row.at(0));
                       f.sha256 = row.at(1).value();
                       f.user_id = integer(row.at(2));
                       f.room_id = integer(row.at(3));
                       f.name = row.at(4).value();
                       f.size = integer(row.at(5));
                       f.type = row.at(6).value();
                       f.width = optional_value(row.at(7));
                       f.height = optional_value(row.at(8));
                       f.created_at = integer(row.at(9));
                       f.message_id = optional_value(row.at(10));
                       f.message_deleted = pg_values::boolean(row.at(11));
                       found = std::move(f);
                     }));
}

void pg_file_index::unused_blobs(std::vector<std::string> sha256s,
                                 answer<std::vector<std::string>> then) {
  writes_.submit(unused_blobs_sql, {digest_array(sha256s)},
                 answer_rows<std::vector<std::string>>(
                     "blobs in use", std::move(then),
                     [](std::vector<std::string>& unused, const pg_result& rows) {
                       for (const auto& row : rows.rows) unused.push_back(row.at(0).value());
                     }));
}

void pg_file_index::remove_unattached(std::int64_t before_ms, int limit,
                                      answer<swept_uploads> then) {
  writes_.submit(remove_unattached_sql, {std::to_string(before_ms), std::to_string(limit)},
                 answer_rows<swept_uploads>("remove unsent uploads", std::move(then),
                                            [](swept_uploads& swept, const pg_result& rows) {
                                              for (const auto& row : rows.rows) {
                                                ++swept.rows;
                                                auto sha256 = row.at(0).value();
                                                const bool listed =
                                                    std::find(swept.unused_blobs.begin(),
                                                              swept.unused_blobs.end(),
                                                              sha256) != swept.unused_blobs.end();
                                                if (!pg_values::boolean(row.at(1)) && !listed) {
                                                  swept.unused_blobs.push_back(std::move(sha256));
                                                }
                                              }
                                            }));
}

}  // namespace chatterbox
