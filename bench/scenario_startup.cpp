#include "histogram.hpp"
#include "report.hpp"
#include "scenarios.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace chatterbox::bench {
namespace {

using clock = std::chrono::steady_clock;

struct child {
  pid_t pid = -1;
  int output = -1;  // read end of the child's stdout + stderr
};

child spawn(const std::vector<std::string>& command) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> argv;
    for (const auto& arg : command) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  return {pid, fds[0]};
}

// Reads the child's output until a line holds "listening on" (true) or the deadline passes or
// the output ends (false).
bool wait_listening(int fd, clock::time_point deadline, std::string& seen) {
  char chunk[4096];
  while (clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    if (poll(&p, 1, static_cast<int>(std::max<long long>(left, 1))) <= 0) continue;
    const ssize_t n = read(fd, chunk, sizeof chunk);
    if (n <= 0) return false;
    seen.append(chunk, static_cast<std::size_t>(n));
    if (seen.find("listening on") != std::string::npos) return true;
  }
  return false;
}

void stop(const child& c) {
  kill(c.pid, SIGTERM);
  for (int i = 0; i < 200; ++i) {  // 10 s, then no more patience
    if (waitpid(c.pid, nullptr, WNOHANG) == c.pid) {
      close(c.output);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(c.pid, SIGKILL);
  waitpid(c.pid, nullptr, 0);
  close(c.output);
}

}  // namespace

// Time from exec to the server's "listening on" log line, repeated; the server is stopped with
// SIGTERM after each start.
int run_startup(const bench_options& o) {
  histogram startup;
  std::size_t failures = 0;
  std::string last_output;
  for (std::size_t i = 0; i < o.iterations; ++i) {
    const auto start = clock::now();
    const child c = spawn(o.server_command);
    if (c.pid < 0) {
      std::cerr << "chatterbox-bench: cannot start " << o.server_command.front() << "\n";
      return 1;
    }
    std::string seen;
    const bool up = wait_listening(
        c.output, start + std::chrono::milliseconds(static_cast<long>(o.timeout_s * 1000)), seen);
    const auto elapsed = clock::now() - start;
    if (up) {
      startup.record(static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()));
    } else {
      ++failures;
      last_output = seen.substr(0, 500);
    }
    stop(c);
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
