#include "options.hpp"

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>
#include <string_view>

namespace chatterbox::bench {
namespace {

constexpr std::string_view usage = R"(usage: chatterbox-bench COMMAND [options]

Load generator for Chatterbox protocol 2 (any server speaking it: --url).

commands:
  fanout   N connections in the open room `general`, S of them send; deliveries/s and latency
  store    S senders only, as fast as acks come back; acked sends/s (all persisted)
  idle     N idle authenticated connections held with keep-alive pings; server RSS / N
  rooms    --rooms R private rooms of --room-size K members (R*K accounts, created with
           create_room before the timed part), one sender per room; deliveries/s, all stored
  storm    N accounts connect at once to the server started from the command after `--`
           (restarted after the logins, so its stall probe covers only the storm); with
           --restart, N connected clients reconnect at once after a server restart
  join     connect -> hello -> history latency, one connection at a time
  hello    a user in --rooms private rooms: connect -> 101 -> hello latency, one at a time
  resume   `sync` from (hello.seq - missed) until has_more=false; time per catch-up
  search   two-word searches, one at a time (on a seeded database); time per answer
  seed     fill --db with --messages messages directly through SQLite (server stopped)
  startup  time from exec to "listening on" of the command after `--`

options (defaults depend on the command):
  --url URL               server base URL (http://127.0.0.1:8080; https:// speaks TLS)
  --more-ports P,Q,...    load runs: other nodes of the same deployment; connections are
                          spread round robin over --url's port and these
  --connections N         WebSocket connections, senders included
  --senders S             connections that send
  --rate R                sends/s over all senders; 0 = closed loop on acks
  --window W              unacked sends allowed per sender
  --warmup SEC            load before measuring
  --duration SEC          measuring time
  --size BYTES            message text length
  --receiver-users K      accounts shared by receiving connections (joins stay few)
  --user-prefix P         account names are P_r<i> / P_s<i> / P_j
  --password PW
  --source-addresses K    spread connections over 127.0.0.1..K (0 = one per 20,000)
  --connect-parallel P    connection attempts in flight
  --hold SEC              idle: how long to hold the connections
  --ping-idle SEC         client keep-alive (ping after half of it without traffic; 0 = off)
  --timeout SEC           bound for every setup and drain wait
  --server-pid PID        read server RSS and CPU from /proc
  --iterations N          join/resume/startup repetitions
  --missed N              resume: messages to catch up on
  --search-words N        search: query words come from the N most frequent seeded words
  --rooms N               rooms: private rooms; hello: rooms the probe user is in
  --room-size K           rooms: members per room, the sender included
  --messages-per-room M   hello: messages another member posts in each room (unread)
  --restart               storm: reconnect N connected clients after a server restart
  --db FILE               seed: database file
  --messages N            seed: messages to insert
  --seed-users N          seed: authors
  --json FILE             also write the JSON report to FILE
  --quick                 tiny settings (smoke test)
)";

template <typename T>
bool parse_number(std::string_view text, T& out) {
  if constexpr (std::is_floating_point_v<T>) {
    try {
      std::size_t used = 0;
      out = static_cast<T>(std::stod(std::string(text), &used));
      return used == text.size();
    } catch (...) {
      return false;
    }
  } else {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
  }
}

bool parse_url(std::string_view url, bench_options& o) {
  constexpr std::string_view plain = "http://";
  constexpr std::string_view tls = "https://";
  o.tls = url.substr(0, tls.size()) == tls;
  const auto scheme = o.tls ? tls : plain;
  if (url.substr(0, scheme.size()) != scheme) return false;
  url.remove_prefix(scheme.size());
  if (const auto slash = url.find('/'); slash != std::string_view::npos) url = url.substr(0, slash);
  const auto colon = url.rfind(':');
  if (colon == std::string_view::npos) {
    o.host = std::string(url);
    o.port = o.tls ? 443 : 80;
    return !o.host.empty();
  }
  o.host = std::string(url.substr(0, colon));
  return !o.host.empty() && parse_number(url.substr(colon + 1), o.port);
}

void apply_preset(bench_options& o) {
  if (o.command == "store") {
    o.connections = 4;
    o.senders = 4;
    o.window = 64;
    o.receiver_users = 0;
  } else if (o.command == "idle") {
    o.connections = 10000;
    o.senders = 0;
  } else if (o.command == "join") {
    o.iterations = 500;
  } else if (o.command == "resume") {
    o.iterations = 20;
  } else if (o.command == "search") {
    o.iterations = 500;
  } else if (o.command == "startup") {
    o.iterations = 5;
  } else if (o.command == "rooms") {
    o.window = 8;
  } else if (o.command == "storm") {
    o.connections = 10000;
    o.connect_parallel = 10000;
    o.timeout_s = 60;
  } else if (o.command == "hello") {
    o.rooms = 200;
    o.iterations = 500;
  }
}

void apply_quick(bench_options& o) {
  o.quick = true;
  o.warmup_s = 0.5;
  o.duration_s = 2;
  o.hold_s = 2;
  o.timeout_s = 10;
  o.iterations = 10;
  o.missed = 200;
  o.messages = 2000;
  if (o.command == "fanout") {
    o.connections = 50;
    o.senders = 2;
    o.receiver_users = 3;
  } else if (o.command == "idle") {
    o.connections = 100;
  } else if (o.command == "rooms") {
    o.rooms = 20;
    o.room_size = 4;
  } else if (o.command == "storm") {
    o.connections = 200;
  } else if (o.command == "hello") {
    o.rooms = 20;
  }
}

}  // namespace

std::variant<bench_options, options_help, options_error> parse_options(int argc,
                                                                       const char* const* argv) {
  bench_options o;
  if (argc < 2) return options_error{"missing command"};
  o.command = argv[1];
  if (o.command == "--help" || o.command == "-h" || o.command == "help") {
    return options_help{std::string(usage)};
  }
  static const std::vector<std::string_view> commands = {
      "fanout", "store", "idle", "rooms", "storm", "join", "hello", "resume", "search", "seed",
      "startup"};
  if (std::find(commands.begin(), commands.end(), o.command) == commands.end()) {
    return options_error{"unknown command: " + o.command};
  }
  apply_preset(o);
  std::vector<std::string_view> args(argv + 2, argv + argc);
  for (const auto arg : args) {
    if (arg == "--") break;
    if (arg == "--quick") apply_quick(o);
  }

  using setter = std::function<bool(std::string_view)>;
  auto size = [](std::size_t& f) {
    return setter([&f](std::string_view v) { return parse_number(v, f); });
  };
  auto real = [](double& f) {
    return setter([&f](std::string_view v) { return parse_number(v, f); });
  };
  auto text = [](std::string& f) {
    return setter([&f](std::string_view v) {
      f = std::string(v);
      return true;
    });
  };
  const std::map<std::string_view, setter> flags = {
      {"--url", [&o](std::string_view v) { return parse_url(v, o); }},
      {"--more-ports",
       [&o](std::string_view v) {
         while (!v.empty()) {
           const auto comma = v.find(',');
           std::uint16_t port = 0;
           if (!parse_number(v.substr(0, comma), port)) return false;
           o.more_ports.push_back(port);
           v = comma == std::string_view::npos ? std::string_view{} : v.substr(comma + 1);
         }
         return true;
       }},
      {"--connections", size(o.connections)},
      {"--senders", size(o.senders)},
      {"--rate", real(o.rate)},
      {"--window", size(o.window)},
      {"--warmup", real(o.warmup_s)},
      {"--duration", real(o.duration_s)},
      {"--size", size(o.text_bytes)},
      {"--receiver-users", size(o.receiver_users)},
      {"--user-prefix", text(o.user_prefix)},
      {"--password", text(o.password)},
      {"--source-addresses", size(o.source_addresses)},
      {"--connect-parallel", size(o.connect_parallel)},
      {"--hold", real(o.hold_s)},
      {"--ping-idle", real(o.ping_idle_s)},
      {"--timeout", real(o.timeout_s)},
      {"--server-pid", [&o](std::string_view v) { return parse_number(v, o.server_pid); }},
      {"--iterations", size(o.iterations)},
      {"--missed", size(o.missed)},
      {"--search-words", size(o.search_words)},
      {"--rooms", size(o.rooms)},
      {"--room-size", size(o.room_size)},
      {"--messages-per-room", size(o.messages_per_room)},
      {"--db", text(o.db_path)},
      {"--messages", size(o.messages)},
      {"--seed-users", size(o.seed_users)},
      {"--json", text(o.json_path)},
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto arg = args[i];
    if (arg == "--") {
      for (std::size_t j = i + 1; j < args.size(); ++j) o.server_command.emplace_back(args[j]);
      break;
    }
    if (arg == "--quick") continue;
    if (arg == "--restart") {
      o.restart = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") return options_help{std::string(usage)};
    const auto flag = flags.find(arg);
    if (flag == flags.end()) return options_error{"unknown option: " + std::string(arg)};
    if (i + 1 >= args.size()) return options_error{"missing value for " + std::string(arg)};
    if (!flag->second(args[++i])) {
      return options_error{"bad value for " + std::string(arg) + ": " + std::string(args[i])};
    }
  }
  if (o.command == "rooms") {
    // Every member its own account; the first `rooms` connections are the senders.
    if (o.room_size < 1) o.room_size = 1;
    o.connections = o.rooms * o.room_size;
    o.senders = o.rooms;
  }
  if (o.senders > o.connections) o.senders = o.connections;
  if (o.window == 0) o.window = 1;
  if (o.text_bytes < 24) o.text_bytes = 24;
  if ((o.command == "seed") && o.db_path.empty()) return options_error{"seed needs --db FILE"};
  if ((o.command == "startup" || o.command == "storm") && o.server_command.empty()) {
    return options_error{o.command + " needs the server command after --"};
  }
  return o;
}

}  // namespace chatterbox::bench
