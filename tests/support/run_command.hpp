#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace chatterbox::test_support {

struct command_result {
  int status = -1;     // the exit status; -1 when it did not exit normally
  std::string output;  // stdout and stderr together
};

// Runs a shell command to its end (the binary's subcommands: backup, admin, --version).
inline command_result run_command(const std::string& command) {
  command_result result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char chunk[4096];
  while (const auto n = std::fread(chunk, 1, sizeof chunk, pipe)) result.output.append(chunk, n);
  const int raw = ::pclose(pipe);
  result.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return result;
}

}  // namespace chatterbox::test_support
