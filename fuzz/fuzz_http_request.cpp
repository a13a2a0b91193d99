// libFuzzer harness: raw bytes -> Beast's request parser (with the server's header and body
// limits) -> request_handler::handle and authorize_websocket, against a real SQLite node (its
// database in a temporary file). One user ("alice") and one token exist, so the corpus can reach
// the authenticated paths (/api/me, /api/logout, /ws) as well as the anonymous ones.
#include "chatterbox/http/request_handler.hpp"
#include "chatterbox/node_stores.hpp"

#include "chatterbox/auth/token.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/beast/http/parser.hpp>
#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>

namespace {

using namespace chatterbox;

// The token the seed corpus carries in its cookies and Authorization headers.
constexpr std::string_view known_token = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

void require(bool condition) {
  if (!condition) std::abort();
}

// Everything the handler needs, built once per process: rebuilding SQLite per input would make
// the fuzzer measure schema creation instead of the handler.
struct world {
  world()
      : config(make_config()),
        node(io, config),
        // The cheapest argon2 libsodium allows, so logins do not dominate the run.
        hasher(io, argon2_cost{1, 8 * 1024}, 1, 4),
        files(std::nullopt),
        chat(io, node.chat(), connections,
             chat_limits{std::chrono::milliseconds(5000), 1000, 1000, 1000, 1000}),
        handler({config, node.sessions, node.admin, chat, hasher, connections, files}) {
    spdlog::set_level(spdlog::level::off);
    const auto alice = node.users.create("alice", "$argon2id$not-a-real-hash", 0);
    node.tokens.store(token_digest(known_token), alice->id, 0, INT64_MAX);
  }
  ~world() {
    for (const char* suffix : {"", "-wal", "-shm"}) ::unlink((config.db_path + suffix).c_str());
    std::error_code ignored;
    std::filesystem::remove_all(config.db_path + ".files", ignored);
  }

  static server_config make_config() {
    server_config c;
    c.allowed_origins.push_back("https://chat.example");
    // Every input comes from one address; with the default limits almost every fuzzed login
    // would stop at 429 and never reach the hashing and account-creation paths.
    c.login_free_failures = 1000000;
    c.login_failures_per_address = 1000000;
    // The fuzzer's peer is a trusted proxy, so Forwarded / X-Forwarded-* in the input are read.
    c.trusted_proxies.push_back("127.0.0.0/8");
    c.db_path = make_path();
    return c;
  }

  static std::string make_path() {
    std::string pattern = "/tmp/chatterbox-fuzz-XXXXXX";
    const int fd = ::mkstemp(pattern.data());
    require(fd >= 0);
    ::close(fd);
    return pattern;
  }

  server_config config;
  boost::asio::io_context io;
  sqlite_node node;
  password_hasher hasher;
  connection_manager connections;
  static_files files;
  chat_service chat;
  request_handler handler;
};

std::optional<http_request> parse(std::string_view bytes, const server_config& config) {
  http::request_parser<http::string_body> parser;
  parser.body_limit(config.max_body_bytes);
  parser.header_limit(static_cast<std::uint32_t>(config.max_header_bytes));
  boost::beast::error_code ec;
  while (!bytes.empty() && !parser.is_done()) {
    const auto used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    if (ec == http::error::need_more) break;
    if (ec) return std::nullopt;
    if (used == 0) break;
    bytes.remove_prefix(used);
  }
  if (!parser.is_done()) {
    // As http::read does at end of stream: nothing at all is end_of_stream, not a request, and
    // put_eof asserts that some bytes came first.
    if (!parser.got_some()) return std::nullopt;
    parser.put_eof(ec);  // a body delimited by the end of the connection
    if (ec || !parser.is_done()) return std::nullopt;
  }
  return parser.release();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static world w;
  auto request = parse(std::string_view(reinterpret_cast<const char*>(data), size), w.config);
  if (!request) return 0;

  // The upgrade decision reads the same request, so check it before handle() consumes it.
  int decisions = 0;
  w.handler.authorize_websocket(*request, std::nullopt,
                                [&](request_handler::upgrade_decision) { ++decisions; });

  int responses = 0;
  static const auto peer = boost::asio::ip::make_address("127.0.0.1");
  auto client = w.handler.resolve_client(*request, peer);
  require(!client.address.empty() && !client.key.empty());
  w.handler.handle(std::move(*request), std::move(client), [&](http_response response) {
    ++responses;
    response.prepare_payload();
    require(response.result_int() >= 200 && response.result_int() < 600);
  });
  // Logins finish on the hasher's thread and post back; run() returns once nothing is pending.
  w.io.restart();
  w.io.run();
  require(responses == 1);  // "respond is called exactly once"
  require(decisions == 1);
  // A fuzzed logout revokes the known token; put it back so later inputs still reach the
  // authenticated handlers.
  if (!w.node.tokens.find_valid(token_digest(known_token), 0)) {
    w.node.tokens.store(token_digest(known_token), 1, 0, INT64_MAX);
  }
  return 0;
}
