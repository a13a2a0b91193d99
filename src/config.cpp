#include "chatterbox/config.hpp"

#include "chatterbox/config_file.hpp"
#include "chatterbox/text/ascii.hpp"
#include "config/flag.hpp"

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <cerrno>
#include <string_view>

namespace chatterbox {

namespace {

constexpr std::string_view config_env = "CHATTERBOX_CONFIG";

std::optional<std::string_view> find_env(const char* const* envp, std::string_view name) {
  if (envp == nullptr) return std::nullopt;
  for (; *envp != nullptr; ++envp) {
    std::string_view entry = *envp;
    if (entry.size() > name.size() && entry.starts_with(name) && entry[name.size()] == '=') {
      // An empty variable is treated as unset, as container runtimes often export blanks.
      if (entry.size() == name.size() + 1) return std::nullopt;
      return entry.substr(name.size() + 1);
    }
  }
  return std::nullopt;
}

std::optional<std::string> apply_env(server_config& config, const flag& f, std::string_view raw) {
  if (!f.repeatable) return f.set(config, raw);
  // A list in one variable: commas separate, blanks around them are noise.
  while (!raw.empty()) {
    const auto comma = raw.find(',');
    const auto item = ascii::trim(raw.substr(0, comma));
    raw = comma == std::string_view::npos ? std::string_view{} : raw.substr(comma + 1);
    if (item.empty()) continue;
    if (auto error = f.set(config, item)) return error;
  }
  return std::nullopt;
}

struct occurrence {
  const flag* f;
  std::string_view value;
};

struct command_line {
  std::vector<occurrence> given;
  std::optional<std::string_view> config_file;  // --config
};

std::variant<command_line, config_error> read_command_line(int argc, const char* const* argv) {
  command_line line;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (!arg.starts_with("--") || arg.size() == 2) {
      return config_error{"unexpected argument '" + std::string(arg) + "'; see --help"};
    }
    const auto body = arg.substr(2);
    const auto eq = body.find('=');
    const auto name = body.substr(0, eq);
    if (name == "help") return config_error{"--help takes no value"};
    const flag* f = find_flag(name);
    if (f == nullptr && name != "config") {
      return config_error{"unknown option --" + std::string(name) + "; see --help"};
    }
    std::string_view value;
    if (eq != std::string_view::npos) {
      value = body.substr(eq + 1);
    } else if (i + 1 >= argc || std::string_view(argv[i + 1]).starts_with("--")) {
      // A following "--flag" is almost certainly a forgotten value, not a value that happens
      // to start with dashes; --name=--value still allows the latter.
      return config_error{"--" + std::string(name) + " needs a value (" +
                          (f ? f->value_name : std::string("FILE")) + ")"};
    } else {
      value = argv[++i];
    }
    if (f == nullptr) {
      line.config_file = value;
    } else {
      line.given.push_back({f, value});
    }
  }
  return line;
}

// The settings of the configuration file in force, and its name (empty: none was read).
struct file_settings {
  std::string path;
  std::vector<config_setting> settings;
};

std::variant<file_settings, config_error> read_settings(const command_line& line,
                                                        const char* const* envp,
                                                        std::string_view default_file) {
  file_settings file;
  if (line.config_file) {
    if (line.config_file->empty()) return config_error{"--config: must not be empty"};
    file.path = *line.config_file;
  } else if (auto env = find_env(envp, config_env)) {
    file.path = *env;
  } else {
    // Only the default may be absent: a server started without any file must still run, but a
    // file the operator named and mistyped must not be silently replaced by the defaults.
    if (default_file.empty()) return file;
    file.path = default_file;
    if (::access(file.path.c_str(), F_OK) != 0 && errno == ENOENT) return file_settings{};
  }
  auto read = read_config_file(file.path);
  if (auto* error = std::get_if<config_file_error>(&read)) {
    return config_error{error->message};
  }
  file.settings = std::move(std::get<std::vector<config_setting>>(read));
  return file;
}

std::string at_line(const file_settings& file, const config_setting& setting) {
  return file.path + ":" + std::to_string(setting.line) + ": ";
}

}  // namespace

std::string files_dir_of(const server_config& config) {
  return config.files_dir.value_or(config.db_path + ".files");
}

bool refused_on_postgres(const server_config& config, std::string_view command,
                         std::string_view instead) {
  if (!config.postgres_url) return false;
  std::cerr << "chatterbox " << command << ": works on a SQLite store (--store sqlite:PATH); on "
            << "PostgreSQL " << instead << "\n";
  return true;
}

std::variant<server_config, config_help, config_error> parse_config(int argc,
                                                                    const char* const* argv,
                                                                    const char* const* envp,
                                                                    std::string_view default_file) {
  // --help wins wherever it appears, even next to bad options: that is when it is needed.
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") return config_help{help_text()};
  }

  // The whole command line is read first: it decides which settings of the file and the
  // environment are overridden, and a typo in a flag is reported even when they are wrong too.
  auto parsed_line = read_command_line(argc, argv);
  if (auto* error = std::get_if<config_error>(&parsed_line)) return *error;
  const auto& line = std::get<command_line>(parsed_line);

  auto parsed_file = read_settings(line, envp, default_file);
  if (auto* error = std::get_if<config_error>(&parsed_file)) return *error;
  const auto& file = std::get<file_settings>(parsed_file);

  // A layer wins outright over the ones below: an overridden value is not even validated, so
  // a broken file or variable can be worked around from above. For a repeatable flag this
  // also means a higher layer's values replace the lower one's list, not extend it.
  const auto on_command_line = [&line](const flag& f) {
    return std::any_of(line.given.begin(), line.given.end(),
                       [&f](const occurrence& o) { return o.f == &f; });
  };

  server_config config;
  config.config_file = file.path;
  std::vector<const config_setting*> seen(flag_table().size(), nullptr);
  for (const auto& setting : file.settings) {
    const flag* f = find_flag(setting.name);
    if (f == nullptr) {
      return config_error{at_line(file, setting) + "unknown setting '" + setting.name +
                          "'; see chatterbox --help"};
    }
    // A setting written twice is an edit gone wrong; the command line's "last wins" would hide
    // which of the two lines the operator meant.
    const auto*& earlier = seen[static_cast<std::size_t>(f - flag_table().data())];
    if (earlier != nullptr && !f->repeatable) {
      return config_error{at_line(file, setting) + "'" + setting.name +
                          "' is already set on line " + std::to_string(earlier->line)};
    }
    earlier = &setting;
    if (on_command_line(*f) || find_env(envp, f->env)) continue;
    if (auto error = f->set(config, setting.value)) {
      return config_error{at_line(file, setting) + setting.name + ": " + *error};
    }
  }

  for (const auto& f : flag_table()) {
    const auto raw = find_env(envp, f.env);
    if (on_command_line(f) || !raw) continue;
    if (auto error = apply_env(config, f, *raw)) return config_error{f.env + ": " + *error};
  }

  for (const auto& [f, value] : line.given) {
    if (auto error = f->set(config, value)) return config_error{"--" + f->name + ": " + *error};
  }
  if (config.tls_cert.has_value() != config.tls_key.has_value()) {
    return config_error{"--tls-cert and --tls-key go together: give both or neither"};
  }
  if (config.http_redirect_port && !config.tls_cert) {
    return config_error{"--http-redirect-port redirects to HTTPS: it needs --tls-cert and --tls-key"};
  }
  return config;
}

}  // namespace chatterbox
