#include "flag.hpp"

namespace chatterbox {

std::string help_text() {
  const server_config defaults;
  std::string text =
      "Usage: chatterbox [options]              run the server\n"
      "       chatterbox backup [options] FILE  copy the database (and its uploads) while\n"
      "                                         the server runs, to FILE (and FILE.files)\n"
      "       chatterbox admin list-users|promote USER|demote USER|reset-password USER\n"
      "       chatterbox --version              show the version and exit\n"
      "\n"
      "Options take a value as --name VALUE or --name=VALUE. Each can also be set with the\n"
      "environment variable shown, or as `name = value` in the configuration file; the\n"
      "command line wins over the environment, which wins over the file. `backup` and `admin`\n"
      "take the server's options (--db, --files-dir, the argon2 cost) and read the same file.\n"
      "\n"
      "  -h, --help\n"
      "      Show this help and exit.\n"
      "  --config FILE\n"
      "      Configuration file: `name = value` lines (names as the options below, without\n"
      "      --), # comments. The default file is read only if it exists.\n"
      "      default: ";
  text.append(default_config_file).append("; env: CHATTERBOX_CONFIG\n");
  for (const auto& f : flag_table()) {
    const auto shown = f.show(defaults);
    text.append("  --").append(f.name).append(" ").append(f.value_name).append("\n      ");
    text.append(f.help).append(".\n      default: ").append(shown.empty() ? "none" : shown);
    text.append("; env: ").append(f.env).append("\n");
  }
  return text;
}

}  // namespace chatterbox
