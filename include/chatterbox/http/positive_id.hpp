#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace chatterbox {

// An id written in a path or query ("12"): digits only, at least 1; nullopt for anything else.
inline std::optional<std::int64_t> positive_id(std::string_view text) {
  std::int64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end || value < 1) return std::nullopt;
  return value;
}

}  // namespace chatterbox
