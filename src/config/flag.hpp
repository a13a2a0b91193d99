#pragma once

#include "chatterbox/config.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatterbox {

// Why a value was rejected, without where it came from (the caller knows whether it was the
// command line, the environment or a line of the configuration file, and says so).
using flag_setter = std::function<std::optional<std::string>(server_config&, std::string_view)>;

// One row per option. --help, the command line, the environment and the configuration file
// are all driven from the table (flag_table.cpp) so they cannot drift apart.
struct flag {
  std::string name;        // without the leading "--"; also the key in the configuration file
  std::string env;         // CHATTERBOX_<NAME>, derived from name
  std::string value_name;  // placeholder shown in --help
  std::string help;
  flag_setter set;
  std::function<std::string(const server_config&)> show;  // current value, for defaults
  // Repeatable flags accumulate; their environment variable holds a comma-separated list.
  bool repeatable = false;
};

const std::vector<flag>& flag_table();
const flag* find_flag(std::string_view name);

// --help: every flag of the table with its default and environment variable.
std::string help_text();

}  // namespace chatterbox
