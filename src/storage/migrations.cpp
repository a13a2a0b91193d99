#include "chatterbox/storage/migrations.hpp"

#include "chatterbox/http/embedded_files.hpp"

#include <SQLiteCpp/Transaction.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace chatterbox {
namespace {

std::string_view embedded_schema() {
  for (const embedded_file& file : embedded_files()) {
    if (file.path == "schema.sql") return file.data;
  }
  // Only a broken build can get here; fail loudly rather than start with no schema.
  throw std::runtime_error("schema.sql is missing from the embedded files");
}

int user_version(SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); }

void check_known(SQLite::Database& db, int version, int known) {
  if (version > known) {
    throw std::runtime_error("database " + db.getFilename() + " has schema version " +
                             std::to_string(version) + " but this build only knows up to " +
                             std::to_string(known) + "; upgrade chatterbox or use another file");
  }
  if (version < 0) {
    throw std::runtime_error("database " + db.getFilename() + " has invalid schema version " +
                             std::to_string(version));
  }
}

// Protocol 2: rooms. The single room of protocol 1 becomes the open room `general` (id 1) with
// every message; each user's read marker becomes their marker of `general`.
constexpr std::string_view rooms_migration = R"sql(
CREATE TABLE rooms (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  kind       TEXT    NOT NULL CHECK (kind IN ('open', 'private', 'dm')),
  name       TEXT    COLLATE NOCASE,                  -- NULL for DMs
  dm_key     TEXT    UNIQUE,                          -- DMs: sorted member ids, "3,7,9"
  creator_id INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL,
  archived   INTEGER NOT NULL DEFAULT 0,
  seq        INTEGER NOT NULL DEFAULT 0               -- global seq of its latest change
);
CREATE UNIQUE INDEX rooms_by_name ON rooms(name) WHERE name IS NOT NULL;
INSERT INTO rooms (id, kind, name, created_at) VALUES (1, 'open', 'general', 0);

-- Every member of every room, open rooms included (a row per user): the user's read marker and
-- notification level live here. A message is one row in messages whatever the room's size;
-- unread counts come from the marker and messages_by_room.
CREATE TABLE room_members (
  room_id INTEGER NOT NULL REFERENCES rooms(id),
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  marker  INTEGER NOT NULL DEFAULT 0,
  notify  TEXT    CHECK (notify IN ('all', 'mentions', 'none')),  -- NULL: the kind's default
  PRIMARY KEY (room_id, user_id)
) WITHOUT ROWID;
CREATE INDEX room_members_by_user ON room_members(user_id);
INSERT INTO room_members (room_id, user_id, marker)
  SELECT 1, u.id, coalesce(r.message_id, 0) FROM users u LEFT JOIN read_markers r ON r.user_id = u.id;
DROP TABLE read_markers;

-- Who left or was removed from a room, and at which seq: sync tells them once.
CREATE TABLE room_departures (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  room_id INTEGER NOT NULL REFERENCES rooms(id),
  seq     INTEGER NOT NULL,
  PRIMARY KEY (user_id, room_id)
) WITHOUT ROWID;

-- A column added by ALTER TABLE cannot carry REFERENCES with a non-NULL default while foreign
-- keys are on; rooms are never deleted, so nothing is lost by the missing constraint.
ALTER TABLE messages ADD COLUMN room_id INTEGER NOT NULL DEFAULT 1;
-- The mentions as sent with the message ("bob,here"), so a page needs no join.
ALTER TABLE messages ADD COLUMN mention_names TEXT NOT NULL DEFAULT '';
-- History pages and unread counts: covering, so counting unread never reads a message row.
CREATE INDEX messages_by_room ON messages(room_id, id, user_id, deleted);

-- Who a message mentions (@here: the members online when it was stored). Rows go when the
-- message is deleted or an edit removes the mention.
CREATE TABLE mentions (
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  room_id    INTEGER NOT NULL,
  message_id INTEGER NOT NULL REFERENCES messages(id),
  PRIMARY KEY (user_id, room_id, message_id)
) WITHOUT ROWID;
CREATE INDEX mentions_by_message ON mentions(message_id);
)sql";

// Issue 11: a reply names the message it answers (threads can be built on it later), a message
// counts its replies, and reactions are a row per (message, emoji, user).
constexpr std::string_view replies_and_reactions_migration = R"sql(
ALTER TABLE messages ADD COLUMN reply_to INTEGER;
ALTER TABLE messages ADD COLUMN reply_count INTEGER NOT NULL DEFAULT 0;
CREATE INDEX messages_by_reply_to ON messages(reply_to) WHERE reply_to IS NOT NULL;

-- seq: the global seq of the reaction, which orders emoji by first use and names by who came
-- first.
CREATE TABLE reactions (
  message_id INTEGER NOT NULL REFERENCES messages(id),
  emoji      TEXT    NOT NULL,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  seq        INTEGER NOT NULL,
  PRIMARY KEY (message_id, emoji, user_id)
) WITHOUT ROWID;
)sql";

// Search (docs/protocol.md, "search"): an FTS5 index of the text of messages, written in the
// transaction that writes the message. External content: the text is stored once, in messages,
// and snippets read it from there.
//
// A new message is indexed once per write batch, not by its own statement: the trigger only
// notes its id in messages_fts_pending, and the batch indexes the ids noted (search_repository::
// index_pending_sql, run by write_batcher before COMMIT). Touching an FTS5 table costs ~11 µs a
// statement whatever it writes, which per message took a third of the store benchmark; once per
// batch of hundreds it is nothing. Rows written by other programs (an operator's sqlite3, the
// bench's seed) are noted the same way and indexed by the next batch or at startup.
//
// Edits and deletes of indexed messages change the index by trigger (they are rare); only a
// change of the text touches it (a seq bumped for another reason must not cost an index write).
// A message still pending is indexed as it is when its batch ends. A delete empties the text,
// and an empty text is not indexed, so deleted messages are never found.
constexpr std::string_view full_text_search_migration = R"sql(
CREATE VIRTUAL TABLE messages_fts USING fts5(
  text, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TABLE messages_fts_pending (id INTEGER PRIMARY KEY);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT OR IGNORE INTO messages_fts_pending (id) VALUES (new.id);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages
    WHEN old.text IS NOT new.text
     AND NOT EXISTS (SELECT 1 FROM messages_fts_pending WHERE id = old.id) BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text)
    SELECT 'delete', old.id, old.text WHERE old.text <> '';
  INSERT INTO messages_fts (rowid, text) SELECT new.id, new.text WHERE new.text <> '';
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text)
    SELECT 'delete', old.id, old.text
    WHERE old.text <> '' AND NOT EXISTS (SELECT 1 FROM messages_fts_pending WHERE id = old.id);
  DELETE FROM messages_fts_pending WHERE id = old.id;
END;
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
)sql";


// Issue 11: uploaded files. The bytes live in the files directory under their SHA-256 (the same
// bytes uploaded twice are stored once); a row per upload says who uploaded what to which room
// and, once sent, the message it belongs to.
constexpr std::string_view files_migration = R"sql(
CREATE TABLE files (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  sha256     TEXT    NOT NULL,
  user_id    INTEGER NOT NULL REFERENCES users(id),
  room_id    INTEGER NOT NULL,
  name       TEXT    NOT NULL,
  size       INTEGER NOT NULL,
  type       TEXT    NOT NULL,
  width      INTEGER,
  height     INTEGER,
  created_at INTEGER NOT NULL,
  message_id INTEGER
);
-- The quota is the sum of a user's uploads; a blob may go only when no row names it.
CREATE INDEX files_by_user ON files(user_id, size);
CREATE INDEX files_by_sha256 ON files(sha256);
CREATE INDEX files_by_message ON files(message_id) WHERE message_id IS NOT NULL;
CREATE INDEX files_unattached ON files(created_at) WHERE message_id IS NULL;
)sql";
}  // namespace

// Issue 12: the first account is the administrator (docs/operations.md, "Administration").
constexpr std::string_view roles_migration = R"sql(
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'admin'));
UPDATE users SET role = 'admin' WHERE id = (SELECT min(id) FROM users);
)sql";

// Issue 12: administrators deactivate accounts (their messages stay), and every administrative
// action is recorded. admin_id NULL: taken with `chatterbox admin` on the command line. A user's
// tokens are now counted (the account list) and deleted together (deactivation, password
// reset): by index, not by a scan of every login.
constexpr std::string_view deactivation_migration = R"sql(
ALTER TABLE users ADD COLUMN deactivated_at INTEGER;
CREATE INDEX tokens_by_user ON tokens(user_id);
CREATE TABLE admin_audit (
  id       INTEGER PRIMARY KEY,
  at       INTEGER NOT NULL,
  admin_id INTEGER REFERENCES users(id),
  action   TEXT    NOT NULL,
  user_id  INTEGER NOT NULL REFERENCES users(id)
);
)sql";

// Issue 12: who may register (a setting), invitation links, one-time password reset links
// (only their digest: a code is as good as the password), what each session is (browser,
// address, last seen) so its owner can recognise and end it, and audit entries that concern a
// room or a message rather than a user (user_id becomes optional, with a detail text: SQLite
// cannot relax a NOT NULL in place, so the table is copied).
constexpr std::string_view invitations_migration = R"sql(
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE invitations (
  code       TEXT    PRIMARY KEY,
  created_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  max_uses   INTEGER,
  uses       INTEGER NOT NULL DEFAULT 0,
  revoked_at INTEGER
) WITHOUT ROWID;
CREATE INDEX invitations_by_age ON invitations(created_at);
CREATE TABLE password_resets (
  code_hash  TEXT    PRIMARY KEY,
  user_id    INTEGER NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
ALTER TABLE tokens ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN last_seen_at INTEGER;
CREATE TABLE admin_audit_new (
  id       INTEGER PRIMARY KEY,
  at       INTEGER NOT NULL,
  admin_id INTEGER REFERENCES users(id),
  action   TEXT    NOT NULL,
  user_id  INTEGER REFERENCES users(id),
  detail   TEXT    NOT NULL DEFAULT ''
);
INSERT INTO admin_audit_new (id, at, admin_id, action, user_id)
  SELECT id, at, admin_id, action, user_id FROM admin_audit;
DROP TABLE admin_audit;
ALTER TABLE admin_audit_new RENAME TO admin_audit;
)sql";

std::span<const migration> migrations() {
  static const std::vector<migration> list = {
      {"initial schema (schema.sql)", embedded_schema()},
      // Who was online when the server last stopped gracefully, so that a restart does not
      // announce every user as gone and back (presence_tracker::assume_online).
      {"presence snapshot",
       "CREATE TABLE presence_snapshot ("
       "  user_id  INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
       "  saved_at INTEGER NOT NULL"
       ")"},
      {"rooms (protocol 2)", rooms_migration},
      {"replies and reactions", replies_and_reactions_migration},
      {"full-text search", full_text_search_migration},
      {"files", files_migration},
      {"roles", roles_migration},
      {"deactivation and the audit log", deactivation_migration},
      {"invitations, password resets, sessions", invitations_migration},
  };
  return list;
}

int apply_migrations(SQLite::Database& db, std::span<const migration> list) {
  const int known = static_cast<int>(list.size());
  int version = user_version(db);
  check_known(db, version, known);
  while (version < known) {
    // BEGIN IMMEDIATE so two processes racing to migrate one file serialize instead of both
    // reading the old version; the loser re-reads user_version after getting the lock.
    SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
    version = user_version(db);
    check_known(db, version, known);
    if (version == known) break;
    const migration& step = list[static_cast<std::size_t>(version)];
    try {
      db.exec(std::string(step.sql));
    } catch (const SQLite::Exception& e) {
      throw std::runtime_error("migration " + std::to_string(version + 1) + " (" +
                               std::string(step.description) + ") failed: " + e.what());
    }
    // PRAGMA cannot take a bound parameter; the value is our own integer, not user input.
    db.exec("PRAGMA user_version = " + std::to_string(version + 1));
    transaction.commit();
    ++version;
  }
  return version;
}

}  // namespace chatterbox
