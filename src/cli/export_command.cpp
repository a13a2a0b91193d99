#include "chatterbox/cli/export_command.hpp"

#include "chatterbox/clock.hpp"
#include "chatterbox/config.hpp"
#include "chatterbox/storage/history_export.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatterbox {
namespace {

constexpr const char* export_usage =
    "usage: chatterbox export [--room NAME] [--format json|markdown] [--db PATH | --store URL]\n"
    "                         FILE|-\n";

}  // namespace

int run_export_command(int argc, const char* const* argv, const char* const* envp) {
  // Our own options first; the rest go to the server's parser, so --db (and the environment)
  // name the same database as the server's.
  std::optional<std::string> room_name;
  std::string format_text = "json";
  std::optional<std::string> target;
  std::vector<const char*> options{argv[0]};
  for (int i = 2; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if ((arg == "--room" || arg == "--format") && i + 1 < argc) {
      (arg == "--room" ? room_name.emplace() : format_text) = argv[++i];
    } else if (arg == "--help" || arg == "-h") {
      std::cout << export_usage
                << "\nWrites the history of one room (--room), or of every room, as JSON or as\n"
                   "readable Markdown to FILE (which must not exist) or, for -, to standard\n"
                   "output. Deleted messages are left out. Safe while the server runs.\n";
      return 0;
    } else if (i == argc - 1 && (arg == "-" || !arg.starts_with("-"))) {
      target = std::string(arg);
    } else {
      options.push_back(argv[i]);
    }
  }
  const auto format = parse_export_format(format_text);
  if (!target || !format) {
    std::cerr << export_usage;
    return 2;
  }
  options.push_back(nullptr);
  const auto parsed = parse_config(static_cast<int>(options.size() - 1), options.data(), envp);
  if (const auto* error = std::get_if<config_error>(&parsed)) {
    std::cerr << "chatterbox export: " << error->message << "\n";
    return 2;
  }
  if (!std::holds_alternative<server_config>(parsed)) {
    std::cerr << export_usage;
    return 2;
  }
  const auto& config = std::get<server_config>(parsed);
  try {
    if (!config.postgres_url && !std::filesystem::exists(config.db_path)) {
      std::cerr << "chatterbox export: no database at " << config.db_path << "\n";
      return 1;
    }
    history_export source(config.postgres_url ? postgres_history(*config.postgres_url)
                                              : sqlite_history(config.db_path));
    std::optional<std::int64_t> room;
    if (room_name) {
      room = source.room_named(*room_name);
      if (!room) {
        std::cerr << "chatterbox export: no room called " << *room_name << "\n";
        return 1;
      }
    }
    if (*target == "-") {
      source.write(std::cout, *format, room, epoch_ms());
      return std::cout.flush() ? 0 : 1;
    }
    if (std::filesystem::exists(*target)) {
      std::cerr << "chatterbox export: " << *target << " exists; not overwriting it\n";
      return 1;
    }
    std::ofstream out(*target, std::ios::binary);
    const auto summary = source.write(out, *format, room, epoch_ms());
    out.close();
    if (!out) {
      std::cerr << "chatterbox export: could not write " << *target << "\n";
      return 1;
    }
    std::cerr << "exported " << summary.messages << " messages of " << summary.rooms
              << (summary.rooms == 1 ? " room" : " rooms") << " to " << *target << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "chatterbox export: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace chatterbox
