#pragma once

#include <string>
#include <string_view>

namespace chatterbox {

// A LIKE pattern (with `\` as its escape) matching text that starts with `prefix` literally.
inline std::string starts_with_pattern(std::string_view prefix) {
  std::string pattern;
  for (const char c : prefix) {
    if (c == '%' || c == '_' || c == '\\') pattern.push_back('\\');
    pattern.push_back(c);
  }
  pattern.push_back('%');
  return pattern;
}

}  // namespace chatterbox
