#include "chatterbox/cli/backup_command.hpp"

#include "chatterbox/config.hpp"
#include "chatterbox/storage/backup.hpp"

#include <chrono>
#include <exception>
#include <iostream>
#include <string_view>
#include <vector>

namespace chatterbox {

int run_backup_command(int argc, const char* const* argv, const char* const* envp) {
  // argv: chatterbox backup [options] FILE. The options go to the server's parser (so the
  // environment and, later, the configuration file name the same database as the server's).
  const std::string_view last = argc > 2 ? argv[argc - 1] : "";
  const bool wants_help = last == "--help" || last == "-h";
  if (!wants_help && (argc < 3 || last.starts_with("-"))) {
    std::cerr << "usage: chatterbox backup [--db PATH] [--files-dir DIR] FILE\n";
    return 2;
  }
  std::vector<const char*> options{argv[0]};
  for (int i = 2; i < argc - (wants_help ? 0 : 1); ++i) options.push_back(argv[i]);
  options.push_back(nullptr);
  const auto parsed = parse_config(static_cast<int>(options.size() - 1), options.data(), envp);
  if (std::holds_alternative<config_help>(parsed)) {
    std::cout << "Usage: chatterbox backup [--db PATH] [--files-dir DIR] FILE\n\n"
                 "Copies the database at --db, as of one moment, to FILE, and the uploaded files\n"
                 "its messages name to FILE.files, while the server runs. Neither may exist.\n"
                 "Restore: stop the server and start it with --db FILE (see docs/operations.md).\n";
    return 0;
  }
  if (const auto* error = std::get_if<config_error>(&parsed)) {
    std::cerr << "chatterbox backup: " << error->message << "\n";
    return 2;
  }
  const auto& config = std::get<server_config>(parsed);
  if (refused_on_postgres(config, "backup", "use pg_dump or PostgreSQL's own backups")) return 2;
  const auto started = std::chrono::steady_clock::now();
  try {
    const auto summary = backup_database(config.db_path, files_dir_of(config), std::string(last));
    const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
    std::cout << "backup of " << config.db_path << " written to " << last << ": "
              << summary.messages << " messages, " << summary.files_copied << " files";
    if (summary.files_missing > 0) {
      std::cout << " (" << summary.files_missing << " deleted while copying, left out)";
    }
    std::cout << ", " << took.count() << " s\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "chatterbox backup: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace chatterbox
