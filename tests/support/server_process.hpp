#pragma once

#include "support/child_process.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

namespace chatterbox::test_support {

// The real chatterbox binary as a child process: integration tests talk to exactly what users
// run.
class server_process : public child_process {
 public:
  // Starts the binary and waits (bounded) for its "listening on" line.
  // `banner` is the start of the line that says the server is up ("listening on https://"
  // for a server with --tls-cert).
  explicit server_process(const std::string& db_path, std::vector<std::string> extra_args = {},
                          std::uint16_t port = 0,
                          const std::string& banner = "listening on http://") {
    std::vector<std::string> args = {CHATTERBOX_BINARY, "--port", std::to_string(port),
                                     "--db", db_path,
                                     // libsodium's minimum cost: logins in tests take ~1 ms.
                                     "--argon2-ops", "1", "--argon2-mem-kib", "8",
                                     "--log-level", "debug",
                                     // Tests send bursts no person would; the limits have their
                                     // own tests, which pass the defaults back explicitly.
                                     "--message-rate", "1000000", "--message-burst", "1000000",
                                     "--signal-rate", "1000000", "--signal-burst", "1000000",
                                     "--login-free-failures", "1000000",
                                     "--login-failures-per-address", "1000000",
                                     "--max-pending-logins-per-address", "1000000",
                                     "--query-rate", "1000000", "--query-burst", "1000000",
                                     "--inbound-frame-rate", "1000000",
                                     "--inbound-byte-rate", "1000000000",
                                     // Leaves at once, as most tests expect; presence has its
                                     // own tests with a grace period.
                                     "--presence-grace", "0"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    // For running today's tests against an older binary (to see which behaviours it lacks
    // rather than which flags): CHATTERBOX_TEST_DROP_UNKNOWN_FLAGS=1 drops the flags it does
    // not list in --help, with their values.
    if (std::getenv("CHATTERBOX_TEST_DROP_UNKNOWN_FLAGS")) args = known_flags_only(args);
    start(args);
    // "listening on http://127.0.0.1:PORT (database ...)"
    const auto line = wait_for_output(banner);
    const auto colon = line ? line->substr(0, line->find(' ')).rfind(':') : std::string::npos;
    if (colon == std::string::npos) {
      stop_now();
      throw std::runtime_error("server did not start; output:\n" + output());
    }
    port_ = static_cast<std::uint16_t>(std::stoi(line->substr(colon + 1)));
  }

  static std::vector<std::string> known_flags_only(const std::vector<std::string>& args) {
    std::string help;
    if (FILE* pipe = ::popen((args[0] + " --help").c_str(), "r")) {
      char chunk[4096];
      while (const auto n = std::fread(chunk, 1, sizeof chunk, pipe)) help.append(chunk, n);
      ::pclose(pipe);
    }
    std::vector<std::string> kept{args[0]};
    for (std::size_t i = 1; i + 1 < args.size(); i += 2) {
      if (help.find("  " + args[i] + " ") == std::string::npos) continue;
      kept.push_back(args[i]);
      kept.push_back(args[i + 1]);
    }
    return kept;
  }

  std::uint16_t port() const { return port_; }
 private:
  std::uint16_t port_ = 0;
};

}  // namespace chatterbox::test_support
