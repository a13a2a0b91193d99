#include "flag.hpp"

#include "chatterbox/bus/redis_endpoint.hpp"
#include "chatterbox/http/trusted_proxies.hpp"
#include "flag_kinds.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <limits>

namespace chatterbox {

namespace {

// The browser sends Origin as scheme://host[:port] and it is compared byte for byte, so a
// trailing slash or path in the configuration would silently never match.
std::optional<std::string> check_origin(std::string_view origin) {
  const auto sep = origin.find("://");
  if (sep == std::string_view::npos || sep == 0 || sep + 3 == origin.size()) {
    return "expected scheme://host[:port], got '" + std::string(origin) + "'";
  }
  if (origin.find('/', sep + 3) != std::string_view::npos) {
    return "an origin has no path or trailing slash, got '" + std::string(origin) + "'";
  }
  return std::nullopt;
}

std::optional<std::string> check_public_url(std::string_view url) {
  for (const std::string_view scheme : {"http://", "https://"}) {
    if (url.size() > scheme.size() && url.starts_with(scheme)) return std::nullopt;
  }
  return "expected http://host[:port][/path] or https://..., got '" + std::string(url) + "'";
}

constexpr std::string_view log_levels[] = {"trace", "debug",    "info", "warn",
                                           "error", "critical", "off"};

}  // namespace

// Every option the server, `backup` and `admin` understand. A new option is a member of
// server_config (include/chatterbox/config.hpp) and one entry here; --help, the environment
// variable and the configuration file key follow from it.
const std::vector<flag>& flag_table() {
  using namespace std::chrono;
  constexpr unsigned long long size_max = std::numeric_limits<std::uint32_t>::max();
  static const std::vector<flag> table = [] {
    std::vector<flag> t;
    t.push_back(string_flag("address", "ADDR", "IP address to listen on", &server_config::address));
    t.push_back(integer_flag("port", "TCP port to listen on; 0 picks a free port and logs it",
                             &server_config::port, 0));
    t.push_back(string_flag("db", "PATH", "SQLite database file", &server_config::db_path));
    t.push_back(make_flag(
        "store", "sqlite:PATH|postgres://...",
        "Where the data is kept: a SQLite file (the same as --db PATH), or PostgreSQL\n"
        "      shared by several nodes (docs/scale-out.md; accounts and files not yet)",
        [](server_config& c, std::string_view text) -> std::optional<std::string> {
          if (text.starts_with("sqlite:") && text.size() > 7) {
            c.db_path = std::string(text.substr(7));
            c.postgres_url.reset();
            return std::nullopt;
          }
          if (text.starts_with("postgres://") || text.starts_with("postgresql://")) {
            c.postgres_url = std::string(text);
            return std::nullopt;
          }
          return "expected sqlite:PATH or postgres://..., got '" + std::string(text) + "'";
        },
        [](const server_config& c) {
          // Never the URL itself: it may hold a password.
          return std::string(c.postgres_url ? "postgres://..." : "sqlite:<db>");
        }));
    t.push_back(make_flag(
        "bus", "local|redis://...",
        "How nodes on one PostgreSQL store (--store postgres://) tell each other their\n"
        "      changes: through Redis, or not at all (local: one node)",
        [](server_config& c, std::string_view text) -> std::optional<std::string> {
          if (text == "local") {
            c.redis_url.reset();
            return std::nullopt;
          }
          std::string why;
          if (!parse_redis_url(text, why)) return "expected local or redis://..., " + why;
          c.redis_url = std::string(text);
          return std::nullopt;
        },
        [](const server_config& c) { return std::string(c.redis_url ? "redis://..." : "local"); }));
    t.push_back(make_flag(
        "log-level", "trace|debug|info|warn|error|critical|off", "Minimum level logged",
        [](server_config& c, std::string_view text) -> std::optional<std::string> {
          if (std::find(std::begin(log_levels), std::end(log_levels), text) ==
              std::end(log_levels)) {
            return "expected one of trace, debug, info, warn, error, critical, off, got '" +
                   std::string(text) + "'";
          }
          c.log_level = std::string(text);
          return std::nullopt;
        },
        [](const server_config& c) { return c.log_level; }));

    t.push_back(list_flag("allowed-origin", "ORIGIN",
                          "Extra Origin (scheme://host[:port]) allowed to open the WebSocket",
                          &server_config::allowed_origins, check_origin));

    t.push_back(optional_string_flag(
        "web-dir", "DIR", "Serve the web client from this directory instead of the built-in copy",
        &server_config::web_dir));
    t.push_back(optional_string_flag(
        "files-dir", "DIR",
        "Where uploaded files are stored (content-addressed, with a tmp/ for uploads in progress)",
        &server_config::files_dir, "<db>.files"));
    t.push_back(make_flag(
        "synchronous", "normal|full",
        "SQLite synchronous mode; full also survives power loss at some write cost",
        [](server_config& c, std::string_view text) -> std::optional<std::string> {
          if (text == "normal") {
            c.synchronous = sync_mode::normal;
          } else if (text == "full") {
            c.synchronous = sync_mode::full;
          } else {
            return "expected normal or full, got '" + std::string(text) + "'";
          }
          return std::nullopt;
        },
        [](const server_config& c) {
          return std::string(c.synchronous == sync_mode::full ? "full" : "normal");
        }));
    t.push_back(make_flag(
        "durable", "on|off",
        "on: acknowledge a message only after it is fsynced (the same as --synchronous full)",
        [](server_config& c, std::string_view text) -> std::optional<std::string> {
          const auto on = parse_switch(text);
          if (!on) return "expected on or off (or true or false), got '" + std::string(text) + "'";
          c.synchronous = *on ? sync_mode::full : sync_mode::normal;
          return std::nullopt;
        },
        [](const server_config& c) {
          return std::string(c.synchronous == sync_mode::full ? "on" : "off");
        }));

    // Upper bounds on durations keep later time arithmetic far from overflow.
    t.push_back(duration_flag("token-ttl", "SECONDS", "Lifetime of a login token",
                              &server_config::token_ttl, 10ULL * 365 * 24 * 3600));
    t.push_back(integer_flag("argon2-ops", "argon2id time cost (passes)",
                             &server_config::argon2_ops, crypto_pwhash_OPSLIMIT_MIN,
                             crypto_pwhash_OPSLIMIT_MAX));
    t.push_back(integer_flag(
        "argon2-mem-kib", "argon2id memory cost in KiB", &server_config::argon2_mem_kib,
        (crypto_pwhash_MEMLIMIT_MIN + 1023) / 1024, crypto_pwhash_MEMLIMIT_MAX / 1024));
    t.push_back(integer_flag("hash-threads", "Threads that hash passwords",
                             &server_config::hash_threads, 1, 1024));
    t.push_back(integer_flag("max-pending-logins",
                             "Password hashes queued or running before logins are refused",
                             &server_config::max_pending_logins, 1, size_max));
    t.push_back(integer_flag("max-body-bytes", "Largest HTTP request body",
                             &server_config::max_body_bytes, 1, size_max));
    t.push_back(integer_flag("max-upload-bytes", "Largest uploaded file (POST /api/files)",
                             &server_config::max_upload_bytes, 1,
                             std::numeric_limits<std::int64_t>::max()));
    t.push_back(integer_flag("user-quota-bytes", "Bytes of uploaded files one user may keep",
                             &server_config::user_quota_bytes, 1,
                             std::numeric_limits<std::int64_t>::max()));
    t.push_back(integer_flag("max-header-bytes", "Largest HTTP request header block",
                             &server_config::max_header_bytes, 1, size_max));
    t.push_back(duration_flag("request-timeout", "SECONDS", "Time allowed to send one HTTP request",
                              &server_config::request_timeout, 24 * 3600));
    t.push_back(integer_flag("max-pending-handshakes",
                             "Connections served at once until their first request is read;\n"
                             "      later ones wait, accepted, in order",
                             &server_config::max_pending_handshakes, 1, size_max));
    t.push_back(duration_flag("handshake-hold-ms", "MS",
                              "How long a connection that has sent nothing keeps its place among\n"
                              "      the pending handshakes",
                              &server_config::handshake_hold, 60 * 1000));
    t.push_back(integer_flag("max-frame-bytes", "Largest WebSocket message accepted",
                             &server_config::max_frame_bytes, 1, size_max));
    t.push_back(integer_flag("send-queue-frames",
                             "Outgoing WebSocket messages queued before a slow client is dropped",
                             &server_config::send_queue_frames, 1, size_max));
    // At least 64 KiB: a reply (a history page, a catch-up) is budgeted at a quarter of it
    // and must always fit one whole message.
    t.push_back(integer_flag("send-queue-bytes",
                             "Outgoing WebSocket bytes queued before a slow client is dropped",
                             &server_config::send_queue_bytes, 64 * 1024, size_max));
    t.push_back(duration_flag("typing-timeout-ms", "MS",
                              "A typing indicator ends after this long without a refresh",
                              &server_config::typing_timeout, 3600 * 1000));
    t.push_back(duration_flag("idle-timeout", "SECONDS",
                              "A silent WebSocket is pinged after half of this and closed after it",
                              &server_config::idle_timeout, 24 * 3600));
    t.push_back(duration_flag("write-timeout", "SECONDS",
                              "A WebSocket whose writes make no progress for this long is closed",
                              &server_config::write_timeout, 24 * 3600));
    t.push_back(
        duration_flag("presence-grace", "SECONDS",
                      "A user is announced as gone only after being away this long (0: at once)",
                      &server_config::presence_grace, 24 * 3600, 0));
    t.push_back(duration_flag("presence-expiry", "SECONDS",
                              "With --bus redis://: the users of a node that stops answering\n"
                              "      are shown offline elsewhere after this long",
                              &server_config::presence_expiry, 3600, 3));
    t.push_back(duration_flag("db-busy-timeout-ms", "MS",
                              "How long writes wait for a database lock held by another process\n"
                              "      before they are refused (the server never blocks on it)",
                              &server_config::db_busy_timeout, 3600 * 1000, 0));
    t.push_back(integer_flag("max-db-bytes",
                             "Largest database file; writes past it are refused as on a full disk\n"
                             "      (0: no limit)",
                             &server_config::max_db_bytes, 0));
    t.push_back(integer_flag("message-rate", "Messages (send/edit/delete) per second per user",
                             &server_config::message_rate, 1, 1000000));
    t.push_back(integer_flag("message-burst",
                             "Messages a user may send at once before the rate applies",
                             &server_config::message_burst, 1, 1000000));
    t.push_back(integer_flag("signal-rate",
                             "typing/seen events per second per user (extra are dropped)",
                             &server_config::signal_rate, 1, 1000000));
    t.push_back(integer_flag("signal-burst", "typing/seen events a user may send at once",
                             &server_config::signal_burst, 1, 1000000));
    t.push_back(integer_flag("query-rate", "history/sync requests per second per user",
                             &server_config::query_rate, 1, 1000000));
    t.push_back(integer_flag("query-burst", "history/sync requests a user may send at once",
                             &server_config::query_burst, 1, 1000000));
    t.push_back(
        integer_flag("inbound-frame-rate",
                     "WebSocket frames per second read from one connection before others go first",
                     &server_config::inbound_frame_rate, 1, 100000000));
    t.push_back(
        integer_flag("inbound-byte-rate",
                     "WebSocket bytes per second read from one connection before others go first",
                     &server_config::inbound_byte_rate, 1024, size_max));
    t.push_back(integer_flag("login-free-failures",
                             "Failed logins for one username from one address before each further\n"
                             "      attempt from there must wait (1 s, doubling per failure)",
                             &server_config::login_free_failures, 1, 1000000));
    t.push_back(duration_flag("login-max-delay", "SECONDS",
                              "Longest wait for one username from one address after failures",
                              &server_config::login_max_delay, 24 * 3600));
    t.push_back(integer_flag("login-failures-per-address",
                             "Failed logins per minute from one address, whatever the usernames",
                             &server_config::login_failures_per_address, 1, 1000000));
    t.push_back(integer_flag("login-attempts-per-minute",
                             "Deprecated name of --login-failures-per-address",
                             &server_config::login_failures_per_address, 1, 1000000));
    t.push_back(integer_flag("max-pending-logins-per-address",
                             "Password hashes queued or running for one address",
                             &server_config::max_pending_logins_per_address, 1, size_max));
    t.push_back(
        list_flag("trusted-proxy", "CIDR",
                  "Reverse proxy (network or address) whose Forwarded, X-Forwarded-For and\n"
                  "      X-Forwarded-Proto headers are believed",
                  &server_config::trusted_proxies,
                  [](std::string_view text) { return trusted_proxies().add(text); }));
    t.push_back(make_flag(
        "public-url", "URL",
        "The URL users open (https://chat.example.com); https makes every cookie Secure",
        [](server_config& c, std::string_view text) -> std::optional<std::string> {
          if (auto error = check_public_url(text)) return error;
          c.public_url = std::string(text);
          return std::nullopt;
        },
        [](const server_config& c) { return c.public_url.value_or(""); }));
    t.push_back(optional_string_flag(
        "tls-cert", "FILE",
        "Serve HTTPS with this certificate chain (PEM, e.g. certbot's fullchain.pem); needs\n"
        "      --tls-key; SIGHUP reloads both",
        &server_config::tls_cert));
    t.push_back(optional_string_flag("tls-key", "FILE",
                                     "The private key of --tls-cert (PEM, e.g. certbot's privkey.pem)",
                                     &server_config::tls_key));
    t.push_back(duration_flag("tls-handshake-timeout", "SECONDS",
                              "Time a client has to complete the TLS handshake",
                              &server_config::tls_handshake_timeout, 3600));
    t.push_back(make_flag(
        "http-redirect-port", "N",
        "With TLS, also listen for plain HTTP on this port and answer every request with a\n"
        "      redirect to HTTPS (nothing else is served there); 0 picks a free port",
        [](server_config& c, std::string_view text) -> std::optional<std::string> {
          std::string error;
          const auto value = parse_in_range(text, 0, 65535, error);
          if (!value) return error;
          c.http_redirect_port = static_cast<std::uint16_t>(*value);
          return std::nullopt;
        },
        [](const server_config& c) {
          return c.http_redirect_port ? std::to_string(*c.http_redirect_port) : std::string();
        }));
    t.push_back(integer_flag("max-connections", "WebSocket connections in total",
                             &server_config::max_connections, 1, size_max));
    t.push_back(integer_flag("max-connections-per-user", "WebSocket connections per user",
                             &server_config::max_connections_per_user, 1, size_max));
    t.push_back(switch_flag(
        "metrics",
        "Serve Prometheus metrics at GET /metrics on the main listener (keep it behind a proxy)",
        &server_config::metrics));
    t.push_back(make_flag(
        "log-format", "text|json", "Log lines as text, or as one JSON object per line",
        [](server_config& c, std::string_view text) -> std::optional<std::string> {
          if (text != "text" && text != "json") {
            return "expected text or json, got '" + std::string(text) + "'";
          }
          c.log_json = text == "json";
          return std::nullopt;
        },
        [](const server_config& c) { return std::string(c.log_json ? "json" : "text"); }));
    return t;
  }();
  return table;
}

const flag* find_flag(std::string_view name) {
  for (const auto& f : flag_table()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace chatterbox
