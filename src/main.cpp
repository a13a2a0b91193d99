#include "chatterbox/cli/admin_command.hpp"
#include "chatterbox/cli/backup_command.hpp"
#include "chatterbox/cli/export_command.hpp"
#include "chatterbox/config.hpp"
#include "chatterbox/observability/logging.hpp"
#include "chatterbox/server.hpp"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <string_view>

extern char** environ;

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "backup") {
    return chatterbox::run_backup_command(argc, argv, environ);
  }
  if (argc > 1 && std::string_view(argv[1]) == "export") {
    return chatterbox::run_export_command(argc, argv, environ);
  }
  if (argc > 1 && std::string_view(argv[1]) == "admin") {
    return chatterbox::run_admin_command(argc, argv, environ);
  }
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--version") {
      std::cout << "chatterbox " << CHATTERBOX_VERSION << "\n";
      return 0;
    }
  }
  const auto parsed = chatterbox::parse_config(argc, argv, environ);
  if (const auto* help = std::get_if<chatterbox::config_help>(&parsed)) {
    std::cout << help->text;
    return 0;
  }
  if (const auto* error = std::get_if<chatterbox::config_error>(&parsed)) {
    std::cerr << "chatterbox: " << error->message << "\nTry 'chatterbox --help'.\n";
    return 2;
  }
  // A socket's coalesced write (up to 256 KiB, websocket_session) is allocated and freed on
  // every write. glibc would serve that size with a fresh mmap (or trim the heap after it),
  // so each write paid for page faults on memory it had just given back: ~15 % of the server's
  // time storing messages (perf, bench store scenario). Served from the heap and not trimmed,
  // freed batches are reused; the cost is up to 64 MiB of freed memory kept for reuse.
  mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
  const auto& config = std::get<chatterbox::server_config>(parsed);
  chatterbox::configure_logging(config.log_level, config.log_json);
  if (!config.config_file.empty()) spdlog::info("configuration file {}", config.config_file);
  chatterbox::database::configure_library();

  try {
    chatterbox::server server(config);
    server.run();
  } catch (const std::exception& e) {
    spdlog::critical("cannot start: {}", e.what());
    return 1;
  }
  return 0;
}
