#include "server_process.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <thread>

namespace chatterbox::bench {

class drain_thread {
 public:
  explicit drain_thread(int fd)
      : thread_([fd] {
          char chunk[4096];
          while (read(fd, chunk, sizeof chunk) > 0) {
          }
        }) {}
  ~drain_thread() { thread_.join(); }  // ends with the output (the server exited)

 private:
  std::thread thread_;
};

server_process::server_process() = default;

server_process::~server_process() {
  if (pid_ > 0) stop();
}

bool server_process::spawn(const std::vector<std::string>& command) {
  int fds[2];
  if (command.empty() || pipe(fds) != 0) return false;
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return false;
  }
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
  pid_ = pid;
  output_ = fds[0];
  port_ = 0;
  seen_.clear();
  return true;
}

bool server_process::wait_listening(std::chrono::steady_clock::time_point deadline) {
  using clock = std::chrono::steady_clock;
  constexpr std::string_view marker = "listening on http://";
  char chunk[4096];
  while (clock::now() < deadline) {
    pollfd p{output_, POLLIN, 0};
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    if (poll(&p, 1, static_cast<int>(std::max<long long>(left, 1))) <= 0) continue;
    const ssize_t n = read(output_, chunk, sizeof chunk);
    if (n <= 0) return false;
    if (seen_.size() < 16384) seen_.append(chunk, static_cast<std::size_t>(n));
    const auto at = seen_.find(marker);
    if (at == std::string::npos) continue;
    const auto colon = seen_.find(':', at + marker.size());
    const auto eol = seen_.find_first_of("\r\n", at);
    if (colon == std::string::npos || eol == std::string::npos) continue;  // line not complete
    std::from_chars(seen_.data() + colon + 1, seen_.data() + eol, port_);
    drain();
    return true;
  }
  return false;
}

void server_process::drain() { drainer_ = std::make_unique<drain_thread>(output_); }

void server_process::terminate() {
  if (pid_ > 0) kill(pid_, SIGTERM);
}

bool server_process::wait_exit(std::chrono::milliseconds patience) {
  if (pid_ <= 0) return true;
  bool clean = false;
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      clean = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!clean) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  drainer_.reset();  // the output ended with the process
  close(output_);
  pid_ = -1;
  output_ = -1;
  return clean;
}

void server_process::stop() {
  terminate();
  wait_exit(std::chrono::milliseconds(10000));
}

}  // namespace chatterbox::bench
