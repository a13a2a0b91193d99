#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace chatterbox::test_support {

// A program the tests start (the chatterbox binary, Redis, PostgreSQL): its output is drained
// on a thread (a full pipe would stall it) and searchable; it is killed when this is destroyed.
class child_process {
 public:
  child_process() = default;
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;
  ~child_process() { stop_now(); }

  pid_t pid() const { return pid_; }
  bool running() {
    std::lock_guard lock(mutex_);
    return pid_ > 0 && !eof_;
  }
  // Resident memory of the process, from /proc.
  std::size_t rss_bytes() const {
    FILE* status = std::fopen(("/proc/" + std::to_string(pid_) + "/status").c_str(), "r");
    if (status == nullptr) return 0;
    char line[256];
    std::size_t kib = 0;
    while (std::fgets(line, sizeof line, status)) {
      if (std::sscanf(line, "VmRSS: %zu kB", &kib) == 1) break;
    }
    std::fclose(status);
    return kib * 1024;
  }

  // Sends SIGTERM (or `signal`) and returns the exit status (nullopt if it did not exit within
  // the bound).
  std::optional<int> terminate(std::chrono::seconds bound = std::chrono::seconds(15),
                               int signal = SIGTERM) {
    if (pid_ <= 0) return exit_status_;
    ::kill(pid_, signal);
    return wait_exit(bound);
  }

  // SIGKILL, as a crash would.
  void kill_hard() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    wait_exit(std::chrono::seconds(15));
  }

  std::string output() {
    std::lock_guard lock(mutex_);
    return output_;
  }

  // The rest of the first output line containing `needle` (after the needle), waiting for
  // it up to `bound`. (Plain text, not std::regex: GCC 12's regex trips -Wmaybe-uninitialized
  // under the sanitizers.)
  std::optional<std::string> wait_for_output(const std::string& needle,
                                             std::chrono::seconds bound = std::chrono::seconds(20)) {
    return wait_for_nth_output(needle, 1, bound);
  }
  // The same for the `n`th such line (1 = the first).
  std::optional<std::string> wait_for_nth_output(const std::string& needle, int n,
                                                 std::chrono::seconds bound) {
    std::unique_lock lock(mutex_);
    std::optional<std::string> rest;
    changed_.wait_for(lock, bound, [&] {
      auto at = output_.find(needle);
      for (int i = 1; i < n && at != std::string::npos; ++i) {
        at = output_.find(needle, output_.find('\n', at));
      }
      if (at != std::string::npos) {
        const auto from = at + needle.size();
        const auto eol = output_.find('\n', from);
        if (eol != std::string::npos) {
          rest = output_.substr(from, eol - from);
          return true;
        }
      }
      return eof_;
    });
    return rest;
  }

 protected:
  // Starts the program; again, once it has exited (a server restarted on the same files).
  void start(const std::vector<std::string>& args) {
    if (reader_.joinable()) reader_.join();
    {
      std::lock_guard lock(mutex_);
      eof_ = false;
    }
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      ::dup2(fds[1], STDERR_FILENO);
      std::vector<char*> argv;
      for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    reader_ = std::thread([this, fd = fds[0]] {
      char chunk[4096];
      for (;;) {
        const auto n = ::read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        std::lock_guard lock(mutex_);
        if (n <= 0) {
          eof_ = true;
          changed_.notify_all();
          break;
        }
        output_.append(chunk, static_cast<std::size_t>(n));
        changed_.notify_all();
      }
      ::close(fd);
    });
  }

  std::optional<int> wait_exit(std::chrono::seconds bound) {
    {
      // The pipe closes when the process exits: a bounded wait without polling.
      std::unique_lock lock(mutex_);
      if (!changed_.wait_for(lock, bound, [&] { return eof_; })) return std::nullopt;
    }
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    if (reader_.joinable()) reader_.join();
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return exit_status_;
  }

  void stop_now() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
    }
    if (reader_.joinable()) reader_.join();
  }

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
  std::thread reader_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string output_;
  bool eof_ = false;
};

}  // namespace chatterbox::test_support
