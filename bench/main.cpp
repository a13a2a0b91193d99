#include "options.hpp"
#include "scenarios.hpp"
#include "tls_client.hpp"

#include <sys/resource.h>

#include <iostream>

namespace {

// As many descriptors as the hard limit allows: the idle scenario holds ~19,000 sockets.
void raise_fd_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace chatterbox::bench;
  const auto parsed = parse_options(argc, argv);
  if (const auto* help = std::get_if<options_help>(&parsed)) {
    std::cout << help->text;
    return 0;
  }
  if (const auto* error = std::get_if<options_error>(&parsed)) {
    std::cerr << "chatterbox-bench: " << error->message << "\nTry 'chatterbox-bench --help'.\n";
    return 2;
  }
  const auto& options = std::get<bench_options>(parsed);
  use_tls(options.tls);
  raise_fd_limit();
  try {
    if (options.command == "join") return run_join(options);
    if (options.command == "resume") return run_resume(options);
    if (options.command == "search") return run_search(options);
    if (options.command == "hello") return run_hello(options);
    if (options.command == "storm") return run_storm(options);
    if (options.command == "seed") return run_seed(options);
    if (options.command == "startup") return run_startup(options);
    return run_load(options);
  } catch (const std::exception& e) {
    std::cerr << "chatterbox-bench: " << e.what() << "\n";
    return 1;
  }
}
