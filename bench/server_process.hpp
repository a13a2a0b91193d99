#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace chatterbox::bench {

class drain_thread;

// A server the bench starts itself (`startup`, `storm`): the command after `--`, its output read
// through a pipe. Once it listens, a thread keeps reading (and dropping) what it logs, so a
// chatty server never blocks on a full pipe.
class server_process {
 public:
  server_process();
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;
  ~server_process();

  // Starts the command; false when it cannot be started.
  bool spawn(const std::vector<std::string>& command);
  // Reads the output until "listening on http://host:PORT" (true) or the deadline passes or the
  // output ends (false). Drains the output from then on.
  bool wait_listening(std::chrono::steady_clock::time_point deadline);
  // The port of the "listening on" line; 0 when not seen.
  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  // What the server printed before listening (for error messages), at most a few KiB.
  const std::string& output() const { return seen_; }

  // SIGTERM without waiting.
  void terminate();
  // Waits for the exit (SIGKILL after `patience`); true when it exited by itself.
  bool wait_exit(std::chrono::milliseconds patience);
  // terminate() and wait_exit(10 s).
  void stop();

 private:
  void drain();

  pid_t pid_ = -1;
  int output_ = -1;
  std::uint16_t port_ = 0;
  std::string seen_;
  std::unique_ptr<drain_thread> drainer_;
};

}  // namespace chatterbox::bench
