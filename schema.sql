-- Chatterbox schema, version 1. Applied at startup when PRAGMA user_version is 0;
-- later versions append migrations in src/storage/migrations.cpp.

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  username      TEXT    NOT NULL UNIQUE COLLATE NOCASE,  -- "Alice" and "alice" are one account
  password_hash TEXT    NOT NULL,                         -- argon2id, crypto_pwhash_str format
  created_at    INTEGER NOT NULL                          -- epoch milliseconds
);

-- Only a SHA-256 of each token is stored, so a leaked database file grants no session.
CREATE TABLE tokens (
  token_hash TEXT    PRIMARY KEY,                         -- lowercase hex SHA-256 of the token
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX tokens_by_expiry ON tokens(expires_at);

-- id is the rowid (stable, never reused thanks to AUTOINCREMENT); seq is bumped on every
-- create, edit and delete so "everything after seq N" is a single index range scan.
CREATE TABLE messages (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  seq       INTEGER NOT NULL UNIQUE,
  user_id   INTEGER NOT NULL REFERENCES users(id),
  client_id TEXT    NOT NULL,
  text      TEXT    NOT NULL,
  ts        INTEGER NOT NULL,                             -- server time, epoch milliseconds
  edited    INTEGER NOT NULL DEFAULT 0,
  deleted   INTEGER NOT NULL DEFAULT 0,
  UNIQUE (user_id, client_id)                             -- a resent client_id stores nothing new
);

-- Each user's read marker: the highest message id they have seen. Only ever moves forward.
CREATE TABLE read_markers (
  user_id    INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  message_id INTEGER NOT NULL
);
