#include "chatterbox/storage/registration_repository.hpp"

#include "statement_scope.hpp"

#include <array>
#include <utility>

namespace chatterbox {
namespace {

constexpr std::array<std::pair<registration_mode, std::string_view>, 3> mode_names{{
    {registration_mode::open, "open"},
    {registration_mode::invitation, "invitation"},
    {registration_mode::closed, "closed"},
}};

constexpr auto invitation_columns =
    "SELECT i.code, u.username, i.created_at, i.expires_at, i.max_uses, i.uses, "
    "i.revoked_at IS NOT NULL FROM invitations i LEFT JOIN users u ON u.id = i.created_by ";

// (Appended, not `std::string + …`: GCC 12 warns falsely about the temporary's bounds.)
std::string invitation_query(std::string_view tail) {
  std::string query(invitation_columns);
  query.append(tail);
  return query;
}

invitation read_invitation(SQLite::Statement& row) {
  invitation out;
  out.code = row.getColumn(0).getString();
  if (!row.getColumn(1).isNull()) out.created_by = row.getColumn(1).getString();
  out.created_at = row.getColumn(2).getInt64();
  out.expires_at = row.getColumn(3).getInt64();
  if (!row.getColumn(4).isNull()) out.max_uses = row.getColumn(4).getInt();
  out.uses = row.getColumn(5).getInt();
  out.revoked = row.getColumn(6).getInt() != 0;
  return out;
}


}  // namespace

invitation_status status_of(const std::optional<invitation>& found, std::int64_t now_ms) {
  if (!found) return invitation_status::unknown;
  if (found->revoked) return invitation_status::revoked;
  if (found->expires_at <= now_ms) return invitation_status::expired;
  if (found->max_uses && found->uses >= *found->max_uses) return invitation_status::used_up;
  return invitation_status::valid;
}

std::string_view to_string(registration_mode mode) {
  for (const auto& [m, name] : mode_names) {
    if (m == mode) return name;
  }
  return "open";
}

std::optional<registration_mode> parse_registration_mode(std::string_view text) {
  for (const auto& [m, name] : mode_names) {
    if (name == text) return m;
  }
  return std::nullopt;
}

std::string_view to_string(invitation_status status) {
  switch (status) {
    case invitation_status::valid: return "valid";
    case invitation_status::expired: return "expired";
    case invitation_status::used_up: return "used_up";
    case invitation_status::revoked: return "revoked";
    case invitation_status::unknown: break;
  }
  return "unknown";
}

registration_repository::registration_repository(SQLite::Database& db)
    : get_mode_(db, "SELECT value FROM settings WHERE key = 'registration'"),
      set_mode_(db,
                "INSERT INTO settings (key, value) VALUES ('registration', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
      insert_(db,
              "INSERT INTO invitations (code, created_by, created_at, expires_at, max_uses) "
              "VALUES (?, ?, ?, ?, ?)"),
      newest_(db, invitation_query("ORDER BY i.created_at DESC LIMIT ?")),
      find_(db, invitation_query("WHERE i.code = ?")),
      revoke_(db,
              "UPDATE invitations SET revoked_at = coalesce(revoked_at, ?) WHERE code = ?"),
      count_use_(db, "UPDATE invitations SET uses = uses + 1 WHERE code = ?") {}

registration_mode registration_repository::mode() {
  statement_scope s(get_mode_);
  if (!s->executeStep()) return registration_mode::open;  // as before there was a choice
  return parse_registration_mode(s->getColumn(0).getString()).value_or(registration_mode::open);
}

void registration_repository::set_mode(registration_mode mode) {
  statement_scope s(set_mode_);
  s.bind(1, to_string(mode));
  s->exec();
}

invitation registration_repository::create(std::string code, std::int64_t by,
                                           std::int64_t now_ms, std::int64_t expires_at_ms,
                                           std::optional<int> max_uses) {
  {
    statement_scope s(insert_);
    s.bind(1, code);
    s.bind(2, by);
    s.bind(3, now_ms);
    s.bind(4, expires_at_ms);
    if (max_uses) s.bind(5, *max_uses);  // else NULL
    s->exec();
  }
  return *find(code);
}

std::vector<invitation> registration_repository::newest(int limit) {
  statement_scope s(newest_);
  s.bind(1, limit);
  std::vector<invitation> out;
  while (s->executeStep()) out.push_back(read_invitation(*s));
  return out;
}

std::optional<invitation> registration_repository::find(std::string_view code) {
  statement_scope s(find_);
  s.bind(1, code);
  if (!s->executeStep()) return std::nullopt;
  return read_invitation(*s);
}

invitation_status registration_repository::status(std::string_view code, std::int64_t now_ms) {
  return status_of(find(code), now_ms);
}

bool registration_repository::revoke(std::string_view code, std::int64_t now_ms) {
  statement_scope s(revoke_);
  s.bind(1, now_ms);
  s.bind(2, code);
  return s->exec() > 0;
}

invitation_status registration_repository::use(std::string_view code, std::int64_t now_ms) {
  const auto status = this->status(code, now_ms);
  if (status != invitation_status::valid) return status;
  statement_scope s(count_use_);
  s.bind(1, code);
  s->exec();
  return status;
}

}  // namespace chatterbox
