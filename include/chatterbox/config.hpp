#pragma once

#include "chatterbox/storage/database.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace chatterbox {

// Read when neither --config nor CHATTERBOX_CONFIG names a file, and only if it exists.
inline constexpr std::string_view default_config_file = "/etc/chatterbox/chatterbox.conf";

// Everything an operator can set. Each flag `--some-name` also reads CHATTERBOX_SOME_NAME and
// the line `some-name = value` of the configuration file; the command line wins over the
// environment, the environment over the file (src/config/flag_table.cpp lists them all).
struct server_config {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 = pick a free port and log it
  std::string db_path = "chatterbox.db";
  // --store postgres://…: the chat and logins on PostgreSQL shared with other nodes
  // (docs/scale-out.md); nullopt: everything in the SQLite database at db_path.
  std::optional<std::string> postgres_url;
  // --bus redis://…: the nodes on one PostgreSQL tell each other their changes through Redis;
  // nullopt (--bus local): this node's clients hear of this node's changes only.
  std::optional<std::string> redis_url;
  std::string log_level = "info";
  std::vector<std::string> allowed_origins;
  std::optional<std::string> web_dir;  // serve the client from disk instead of the binary
  sync_mode synchronous = sync_mode::normal;

  std::chrono::seconds token_ttl{7 * 24 * 3600};
  // argon2id cost; defaults are OWASP's minimum (19 MiB, t=2).
  unsigned long long argon2_ops = 2;
  std::size_t argon2_mem_kib = 19 * 1024;
  unsigned hash_threads = 1;
  std::size_t max_pending_logins = 64;

  std::size_t max_body_bytes = 16 * 1024;
  std::size_t max_header_bytes = 8 * 1024;
  std::chrono::seconds request_timeout{30};
  // Connections started but still waiting for their first request; the others wait accepted
  // (listener, handshake_gate). A silent one gives its place up after handshake_hold.
  std::size_t max_pending_handshakes = 128;
  std::chrono::milliseconds handshake_hold{250};
  std::size_t max_frame_bytes = 64 * 1024;
  // Well above one group commit's worth of messages (write_batcher::limits::max_jobs): a
  // client that reads normally can receive a whole large batch in one turn of the loop.
  std::size_t send_queue_frames = 16384;
  std::size_t send_queue_bytes = 4 * 1024 * 1024;
  std::chrono::milliseconds typing_timeout{6000};
  // A WebSocket with no traffic for this long is pinged at half of it and closed at the end.
  std::chrono::seconds idle_timeout{60};
  // A WebSocket whose pending write makes no progress for this long is closed: a client that
  // stopped reading cannot hold its queue (and socket buffers) forever.
  std::chrono::seconds write_timeout{30};
  // A user whose last connection closed is announced as gone only after this long, so a
  // reconnect (a reload, a server restart) does not flash "left" and "joined".
  std::chrono::seconds presence_grace{10};
  // With --bus redis://: the users of a node that stops answering (it crashed, or lost Redis)
  // are shown offline on the other nodes after this long (docs/scale-out.md).
  std::chrono::seconds presence_expiry{30};

  // Storage. Writes wait this long for a lock another process holds (a sqlite3 shell, a backup)
  // before they are refused; the event loop never waits inside SQLite.
  std::chrono::milliseconds db_busy_timeout{5000};
  std::uint64_t max_db_bytes = 0;  // 0: no limit; else writes fail (as on a full disk) past it
  // Uploaded files (docs/protocol.md, "POST /api/files"); nullopt: "<db_path>.files".
  std::optional<std::string> files_dir;
  std::uint64_t max_upload_bytes = 25 * 1024 * 1024;
  std::uint64_t user_quota_bytes = 1024ull * 1024 * 1024;

  // Abuse limits (docs/protocol.md, "Limits").
  unsigned message_rate = 10;   // send/edit/delete per second per user, sustained
  unsigned message_burst = 20;
  unsigned signal_rate = 5;     // typing/seen per second per user; extra ones are dropped
  unsigned signal_burst = 10;
  unsigned query_rate = 20;     // history/sync requests per second per user
  unsigned query_burst = 40;
  // Per connection, what the loop reads from one client before it reads from others first:
  // frames and bytes per second (a second's worth may come at once).
  unsigned inbound_frame_rate = 200;
  std::size_t inbound_byte_rate = 1024 * 1024;
  // Login throttling (docs/protocol.md, "Login throttling"): only failures count.
  unsigned login_free_failures = 5;  // per (username, address), then each attempt waits
  std::chrono::seconds login_max_delay{15 * 60};  // the wait starts at 1 s and doubles to this
  unsigned login_failures_per_address = 100;      // per minute, whatever the usernames
  std::size_t max_pending_logins_per_address = 16;
  // Reverse proxies whose Forwarded / X-Forwarded-* headers are believed (CIDRs, validated).
  std::vector<std::string> trusted_proxies;
  // Where users reach the server; an https:// URL makes every cookie Secure.
  std::optional<std::string> public_url;
  // HTTPS without a proxy: the certificate chain and key (PEM, both or neither). SIGHUP reads
  // them again; connections already open keep the certificate they started with.
  std::optional<std::string> tls_cert;
  std::optional<std::string> tls_key;
  std::chrono::seconds tls_handshake_timeout{10};
  // With TLS, a plain-HTTP port that only redirects to HTTPS (0 picks a free port and logs it).
  std::optional<std::uint16_t> http_redirect_port;
  std::size_t max_connections = 10000;
  std::size_t max_connections_per_user = 20;

  bool metrics = false;  // GET /metrics (Prometheus text) on the main listener
  bool log_json = false;

  std::string config_file;  // the configuration file that was read; empty: none
};

struct config_help {
  std::string text;  // --help output
};
struct config_error {
  std::string message;
};

// Where uploads are stored: --files-dir, or a directory beside the database.
std::string files_dir_of(const server_config& config);
// The command-line tools that work on the SQLite file alone (backup, export, admin): with
// --store postgres:// they say so on stderr, with what to use instead, and this is true.
bool refused_on_postgres(const server_config& config, std::string_view command,
                         std::string_view instead);

// Parses argv, the environment (`environ`-style, NAME=value) and the configuration file
// (--config, else CHATTERBOX_CONFIG, else `default_file` if it exists; "" reads none). Never
// exits the process.
std::variant<server_config, config_help, config_error> parse_config(
    int argc, const char* const* argv, const char* const* envp,
    std::string_view default_file = default_config_file);

}  // namespace chatterbox
