#include "chatterbox/postgres/pg_schema.hpp"

#include "chatterbox/postgres/pg_connection.hpp"

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

namespace chatterbox {
namespace {

// Any constant of our own: the advisory lock nodes starting together take turns on.
constexpr std::string_view migration_lock = "SELECT pg_advisory_xact_lock(7308291174126561)";
constexpr std::string_view version_table =
    "CREATE TABLE IF NOT EXISTS chatterbox_schema (version integer NOT NULL)";
constexpr std::string_view read_version = "SELECT max(version) FROM chatterbox_schema";
constexpr std::string_view step_quote = "$chatterbox_step$";

}  // namespace

std::string pg_migration_script(std::span<const migration> list) {
  const auto known = std::to_string(list.size());
  std::string script =
      "DO $chatterbox_migrate$\n"
      "DECLARE v integer;\n"
      "BEGIN\n"
      "  SELECT coalesce(max(version), 0) INTO v FROM chatterbox_schema;\n"
      "  IF v > " + known + " THEN\n"
      "    RAISE EXCEPTION 'the database has schema version % but this build of chatterbox only "
      "knows up to %: upgrade chatterbox', v, " + known + ";\n"
      "  END IF;\n";
  for (std::size_t i = 0; i < list.size(); ++i) {
    // Our own constants; a step that contained the quote would end it early.
    if (list[i].sql.find(step_quote) != std::string_view::npos) {
      throw std::logic_error("a PostgreSQL migration contains " + std::string(step_quote));
    }
    script += "  IF v < " + std::to_string(i + 1) + " THEN  -- " + std::string(list[i].description) +
              "\n    EXECUTE " + std::string(step_quote) + std::string(list[i].sql) +
              std::string(step_quote) + ";\n  END IF;\n";
  }
  script += "  DELETE FROM chatterbox_schema;\n"
            "  INSERT INTO chatterbox_schema (version) VALUES (greatest(v, " + known + "));\n"
            "END\n$chatterbox_migrate$";
  return script;
}

void migrate_postgres(pg_connection& connection, std::span<const migration> list,
                      std::function<void(const pg_migration_outcome&)> done) {
  // The first failure is the one worth telling (the statements after it are only `aborted`).
  auto outcome = std::make_shared<pg_migration_outcome>();
  auto note = [outcome](const pg_result* r) {
    if (!outcome->error.empty()) return;
    if (r == nullptr) outcome->error = "the connection to PostgreSQL was lost";
    else if (!r->ok) outcome->error = r->error;
  };
  // Called once: by the last statement's answer, or below when the statements could not all go.
  auto once = std::make_shared<std::function<void(const pg_migration_outcome&)>>(std::move(done));
  auto finish = [outcome, note, once](const pg_result* r) {
    note(r);
    if (outcome->error.empty()) {
      const auto& version = r->value(0, 0);
      outcome->version = version ? std::stoi(*version) : 0;
    }
    if (auto call = std::exchange(*once, nullptr)) call(*outcome);
  };
  const bool sent = connection.query(migration_lock, {}, note) &&
                    connection.query(version_table, {}, note) &&
                    connection.query(pg_migration_script(list), {}, note) &&
                    connection.query(read_version, {}, std::move(finish)) && connection.sync();
  // Only a connection that is closed or full refuses; what it took is answered, but not `done`.
  if (auto call = sent ? nullptr : std::exchange(*once, nullptr)) {
    call({.error = "the connection to PostgreSQL cannot take the schema migration"});
  }
}

}  // namespace chatterbox
