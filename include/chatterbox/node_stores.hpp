#pragma once

// Where a node keeps its data (--store): one of these two per server.

#include "chatterbox/chat/room_directory.hpp"
#include "chatterbox/config.hpp"
#include "chatterbox/files/file_store.hpp"
#include "chatterbox/files/upload_sweeper.hpp"
#include "chatterbox/http/export_handler.hpp"
#include "chatterbox/postgres/pg_batcher.hpp"
#include "chatterbox/storage/account_admin.hpp"
#include "chatterbox/storage/audit_log.hpp"
#include "chatterbox/storage/database.hpp"
#include "chatterbox/storage/file_repository.hpp"
#include "chatterbox/storage/mention_repository.hpp"
#include "chatterbox/storage/message_repository.hpp"
#include "chatterbox/storage/password_reset_repository.hpp"
#include "chatterbox/storage/presence_repository.hpp"
#include "chatterbox/storage/reaction_repository.hpp"
#include "chatterbox/storage/registration_repository.hpp"
#include "chatterbox/storage/room_repository.hpp"
#include "chatterbox/storage/token_repository.hpp"
#include "chatterbox/storage/user_repository.hpp"
#include "chatterbox/storage/wal_checkpointer.hpp"
#include "chatterbox/storage/write_batcher.hpp"
#include "chatterbox/store/chat_store.hpp"
#include "chatterbox/store/pg_admin_store.hpp"
#include "chatterbox/store/pg_chat_store.hpp"
#include "chatterbox/store/pg_file_index.hpp"
#include "chatterbox/store/pg_session_store.hpp"
#include "chatterbox/store/sqlite_admin_store.hpp"
#include "chatterbox/store/sqlite_chat_store.hpp"
#include "chatterbox/store/sqlite_file_index.hpp"
#include "chatterbox/store/sqlite_session_store.hpp"

#include <boost/asio/io_context.hpp>

namespace chatterbox {

// One node's SQLite database and everything kept beside it (--store sqlite:PATH, the default):
// the whole server, accounts and administration included.
struct sqlite_node {
  sqlite_node(boost::asio::io_context& io, const server_config& config);

  // What the chat stores here (the chat_service builds its SQLite store from it).
  chat_storage chat();

  database db;
  wal_checkpointer checkpointer;
  user_repository users;
  token_repository tokens;
  message_repository messages;
  room_repository rooms;
  mention_repository mentions;
  reaction_repository reactions;
  file_repository file_rows;
  account_admin accounts;
  registration_repository registration;
  password_reset_repository resets;
  audit_log audit;
  export_handler exports;
  presence_repository presence;
  write_batcher writes;
  file_store files;
  sqlite_file_index uploads;
  upload_sweeper sweeper;
  sqlite_session_store sessions;
  sqlite_admin_store admin;
};

// The stores a node shares with the others (--store postgres://…, docs/scale-out.md): the chat,
// the logins and the administration. Construction connects, brings the schema up to date and loads what the chat
// needs before the node serves, running the event loop until then (nobody is connected yet);
// it throws when PostgreSQL cannot be reached within `startup_limit`.
struct postgres_node {
  postgres_node(boost::asio::io_context& io, const server_config& config);

  static constexpr std::chrono::seconds startup_limit{30};

  pg_batcher writes;
  room_directory rooms;
  pg_chat_store chat;
  pg_session_store sessions;
  pg_admin_store admin;
  // Uploaded files: the rows in PostgreSQL, the bytes in a directory every node shares.
  file_store files;
  pg_file_index uploads;
  upload_sweeper sweeper;
  export_handler exports;
  chat_snapshot loaded;  // moved into the chat_service once

  // Who was online when a node alone on the database stopped (newer than `newer_than_ms`),
  // taken so the next start alone finds it once; runs the loop until PostgreSQL answers (at
  // start, before anyone is connected). Empty when it cannot be read: only cosmetic.
  std::vector<present_user> take_presence(boost::asio::io_context& io, std::int64_t newer_than_ms);
  // Submitted before the last writes: committed by writes.stop().
  void save_presence(const std::vector<present_user>& users, std::int64_t now_ms);

 private:
  // Runs `io` until `done()`, or throws `what` once startup_limit has passed.
  static void run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                        const std::string& what);
};

}  // namespace chatterbox
