#include "accounts.hpp"
#include "histogram.hpp"
#include "process_stats.hpp"
#include "report.hpp"
#include "scenarios.hpp"
#include "server_metrics.hpp"
#include "server_process.hpp"
#include "storm_run.hpp"

#include <iostream>
#include <optional>
#include <sstream>

namespace chatterbox::bench {
namespace {

using clock = std::chrono::steady_clock;

std::string joined(const std::map<std::string, std::size_t>& counts) {
  std::ostringstream out;
  bool first = true;
  for (const auto& [what, n] : counts) {
    out << (first ? "" : "; ") << what << " x" << n;
    first = false;
  }
  return out.str();
}

bool start(server_process& server, const bench_options& o, std::string& error) {
  if (!server.spawn(o.server_command)) {
    error = "cannot start " + o.server_command.front();
    return false;
  }
  if (!server.wait_listening(clock::now() + std::chrono::seconds(30)) || server.port() == 0) {
    error = "the server did not start listening: " + server.output().substr(0, 500);
    server.stop();
    return false;
  }
  return true;
}

}  // namespace

// `storm`: the bench starts the server (the command after `--`), logs every account in, then
// restarts the server so that its worst-stall probe (since start) covers only what is measured:
//  - plain: every client connects at once to the fresh server;
//  - --restart: every client connects (not measured), the server is stopped (SIGTERM: close
//    1001 to all) and started again, and every client reconnects at once.
// Measured: time from the wave's start (the restarted server listening) to the last `hello`,
// each client's connect -> hello, and the server's worst event-loop stall (/metrics).
int run_storm(const bench_options& options) {
  bench_options o = options;
  std::string error;
  server_process server;
  if (!start(server, o, error)) {
    std::cerr << "chatterbox-bench: " << error << "\n";
    return 1;
  }
  o.port = server.port();
  const account_plan plan = plan_accounts(o);
  const auto login_start = clock::now();
  const auto tokens = login_all(o, plan.usernames, error);
  if (!tokens) {
    std::cerr << "chatterbox-bench: " << error << "\n";
    return 1;
  }
  const double login_s = std::chrono::duration<double>(clock::now() - login_start).count();
  const auto timeout = std::chrono::milliseconds(static_cast<long>(o.timeout_s * 1000));

  storm_run storm(o, *tokens);
  storm_run::wave_result first;
  std::map<std::string, std::size_t> restart_closes;
  if (o.restart) {
    first = storm.connect_all(server.port(), timeout);
    server.terminate();
    restart_closes = storm.wait_all_closed(std::chrono::seconds(30));
  } else {
    server.terminate();
  }
  const bool clean_exit = server.wait_exit(std::chrono::seconds(30));
  if (!start(server, o, error)) {
    std::cerr << "chatterbox-bench: " << error << "\n";
    return 1;
  }
  // The stall probe's worst since start, before the wave: what starting up cost by itself.
  const auto metrics_before = scrape_metrics(o.host, server.port(), std::chrono::milliseconds(3000));
  const auto rss_before = process_rss_bytes(server.pid());
  const double cpu_before = process_cpu_seconds(server.pid()).value_or(0);
  const auto wave = storm.connect_all(server.port(), timeout);
  const double cpu_after = process_cpu_seconds(server.pid()).value_or(0);
  const auto metrics = scrape_metrics(o.host, server.port(), std::chrono::milliseconds(3000));
  const auto rss_after = process_rss_bytes(server.pid());

  report r(o.restart ? "storm_restart" : "storm");
  r.add("clients", static_cast<double>(tokens->size()), "accounts, one connection each");
  r.add("login_s", login_s, "s (setup, not measured)");
  if (o.restart) {
    r.add("live_before_restart", static_cast<double>(first.live));
    r.add("restart_close_reasons", joined(restart_closes));
    r.add("server_exit_clean", clean_exit ? 1.0 : 0.0);
  }
  r.add("live", static_cast<double>(wave.live), "hello received");
  r.add("all_live_s", wave.all_live_s, "s (wave start -> last hello)");
  r.add("connect_p50_ms", ms(wave.connect_to_hello.percentile(0.5)), "ms (first attempt -> hello)");
  r.add("connect_p99_ms", ms(wave.connect_to_hello.percentile(0.99)), "ms");
  r.add("connect_max_ms", ms(wave.connect_to_hello.max()), "ms");
  r.add("retries", static_cast<double>(wave.retries), "failed attempts retried");
  r.add("failures", joined(wave.failures));
  r.add("server_cpu_s", cpu_after - cpu_before, "s of CPU during the wave");
  if (rss_before && rss_after) {
    r.add("server_rss_after_kib", static_cast<double>(*rss_after / 1024), "KiB");
  }
  const auto stall_ms = [](const auto& m) -> std::optional<double> {
    if (!m) return std::nullopt;
    const auto stall = m->find("chatterbox_event_loop_max_stall_seconds");
    if (stall == m->end()) return std::nullopt;
    return 1000 * stall->second;
  };
  if (const auto before = stall_ms(metrics_before)) {
    r.add("server_stall_before_wave_ms", *before, "ms (server /metrics: its start, before the wave)");
  }
  if (const auto after = stall_ms(metrics)) {
    r.add("server_max_loop_stall_ms", *after,
          "ms (server /metrics, worst since the restart: its start and the wave)");
  }
  storm.close_all(std::chrono::seconds(30));
  server.stop();
  publish(r, o.json_path);
  const bool ok = wave.live == tokens->size() && (!o.restart || first.live == tokens->size());
  return ok ? 0 : 1;
}

}  // namespace chatterbox::bench
