#include "chatterbox/config.hpp"
#include "chatterbox/observability/logging.hpp"
#include "chatterbox/server.hpp"

#include <spdlog/spdlog.h>

#include <iostream>

extern char** environ;

int main(int argc, char** argv) {
  const auto parsed = chatterbox::parse_config(argc, argv, environ);
  if (const auto* help = std::get_if<chatterbox::config_help>(&parsed)) {
    std::cout << help->text;
    return 0;
  }
  if (const auto* error = std::get_if<chatterbox::config_error>(&parsed)) {
    std::cerr << "chatterbox: " << error->message << "\nTry 'chatterbox --help'.\n";
    return 2;
  }
  const auto& config = std::get<chatterbox::server_config>(parsed);
  chatterbox::configure_logging(config.log_level, config.log_json);
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
