#include "histogram.hpp"
#include "report.hpp"
#include "scenarios.hpp"
#include "server_process.hpp"

#include <chrono>
#include <iostream>
#include <string>

namespace chatterbox::bench {

// Time from exec to the server's "listening on" log line, repeated; the server is stopped with
// SIGTERM after each start.
int run_startup(const bench_options& o) {
  using clock = std::chrono::steady_clock;
  histogram startup;
  std::size_t failures = 0;
  std::string last_output;
  for (std::size_t i = 0; i < o.iterations; ++i) {
    const auto start = clock::now();
    server_process server;
    if (!server.spawn(o.server_command)) {
      std::cerr << "chatterbox-bench: cannot start " << o.server_command.front() << "\n";
      return 1;
    }
    const bool up = server.wait_listening(
        start + std::chrono::milliseconds(static_cast<long>(o.timeout_s * 1000)));
    const auto elapsed = clock::now() - start;
    if (up) {
      startup.record(static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()));
    } else {
      ++failures;
      last_output = server.output().substr(0, 500);
    }
    server.stop();
  }
  report r("startup");
  r.add("iterations", static_cast<double>(o.iterations));
  r.add("failures", static_cast<double>(failures));
  if (!last_output.empty()) r.add("last_output", last_output);
  const auto ms = [](std::uint64_t us) { return static_cast<double>(us) / 1000.0; };
  r.add("startup_p50_ms", ms(startup.percentile(0.5)), "ms (exec -> \"listening on\")");
  r.add("startup_max_ms", ms(startup.max()), "ms");
  r.add("startup_min_ms", ms(startup.percentile(0.0)), "ms");
  publish(r, o.json_path);
  return failures == 0 ? 0 : 1;
}

}  // namespace chatterbox::bench
