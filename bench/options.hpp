#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace chatterbox::bench {

// Every knob of every scenario; each scenario reads the ones it needs. Presets (the scenario's
// defaults and `--quick`) are applied before the command line, so flags always win.
struct bench_options {
  std::string command;  // fanout, store, idle, rooms, storm, join, resume, hello, search, seed,
                       // startup

  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  bool tls = false;  // --url https://...
  // Other nodes of the same deployment (docs/scale-out.md): load runs spread their connections
  // over `port` and these, round robin (senders too).
  std::vector<std::uint16_t> more_ports;

  // Load runs (fanout, store, idle).
  std::size_t connections = 1000;  // authenticated WebSocket connections, senders included
  std::size_t senders = 10;
  double rate = 0;         // sends/s over all senders; 0 = as fast as acks allow
  std::size_t window = 8;  // unacked sends per sender
  double warmup_s = 2;
  double duration_s = 10;
  std::size_t text_bytes = 64;
  std::size_t receiver_users = 10;  // accounts shared by the receiving connections
  std::string user_prefix = "bench";
  std::string password = "bench-password";
  std::size_t source_addresses = 0;  // 127.0.0.1..N as source; 0 = one per 20,000 connections
  std::size_t connect_parallel = 128;
  double hold_s = 20;       // idle: how long connections are held
  double ping_idle_s = 10;  // client keep-alive: a ping after half this much silence
  double timeout_s = 30;    // bound on each setup/drain wait
  int server_pid = 0;       // for RSS and CPU of the server (optional)

  // rooms: `rooms` private rooms of `room_size` members (each its own account), one sender each.
  // hello: the probe user is a member of `rooms` private rooms.
  std::size_t rooms = 1000;
  std::size_t room_size = 10;
  std::size_t messages_per_room = 3;  // hello: unread messages seeded in each room

  // storm: reconnect everyone after a server restart instead of connecting to a fresh server.
  bool restart = false;

  // join / resume / hello
  std::size_t iterations = 200;
  std::size_t missed = 10000;
  std::size_t search_words = 2000;  // search: query words are drawn from this many most frequent

  // seed
  std::string db_path;
  std::size_t messages = 1000000;
  std::size_t seed_users = 100;

  // startup: the server command line after `--`
  std::vector<std::string> server_command;

  std::string json_path;  // also write the JSON report here
  bool quick = false;
};

struct options_error {
  std::string message;
};
struct options_help {
  std::string text;
};

std::variant<bench_options, options_help, options_error> parse_options(int argc,
                                                                       const char* const* argv);

}  // namespace chatterbox::bench
