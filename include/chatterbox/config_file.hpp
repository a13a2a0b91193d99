#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace chatterbox {

// One `name = value` line of a configuration file.
struct config_setting {
  std::string name;
  std::string value;
  std::size_t line = 0;  // 1-based, for messages
};

// Why a configuration file cannot be used: "FILE:LINE: reason" (or "FILE: reason").
struct config_file_error {
  std::string message;
};

using config_file_result = std::variant<std::vector<config_setting>, config_file_error>;

// The syntax only: each line is `name = value` or `name value` (blanks around either), a
// comment starting with `#`, or blank. The value is the rest of the line, taken literally
// (no quotes, no trailing comments). Whether a name is known is the caller's business.
config_file_result parse_config_text(std::string_view text, std::string_view file);

// Reads and parses `path`; a missing or unreadable file is an error.
config_file_result read_config_file(const std::string& path);

}  // namespace chatterbox
