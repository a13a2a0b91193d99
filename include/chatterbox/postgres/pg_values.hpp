#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

// Values as libpq hands them over and takes them (text format).
namespace chatterbox::pg_values {

// A NOT NULL integer column (or one the caller checked); throws on anything else.
inline std::int64_t integer(const std::optional<std::string>& value) {
  std::int64_t out = 0;
  const auto& text = value.value();
  if (std::from_chars(text.data(), text.data() + text.size(), out).ec != std::errc{}) {
    throw std::runtime_error("PostgreSQL returned a non-integer where one was expected: " + text);
  }
  return out;
}

inline bool boolean(const std::optional<std::string>& value) { return value == "t"; }

// A bigint[] parameter: "{3,5,8}".
inline std::string bigint_array(const std::vector<std::int64_t>& values) {
  std::string out = "{";
  for (const auto v : values) {
    if (out.size() > 1) out.push_back(',');
    out += std::to_string(v);
  }
  out.push_back('}');
  return out;
}

inline std::optional<std::string> optional_integer(const std::optional<std::int64_t>& value) {
  if (!value) return std::nullopt;
  return std::to_string(*value);
}

}  // namespace chatterbox::pg_values
