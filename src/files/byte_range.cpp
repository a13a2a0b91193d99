#include "chatterbox/files/byte_range.hpp"

#include <charconv>
#include <optional>

namespace chatterbox {
namespace {

std::optional<std::uint64_t> number(std::string_view text) {
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

range_request parse_range(std::string_view header, std::uint64_t size) {
  constexpr std::string_view unit = "bytes=";
  header = trimmed(header);
  // Anything we do not understand is ignored, which RFC 9110 allows: the whole file is sent.
  if (!header.starts_with(unit)) return whole_file{};
  const auto spec = trimmed(header.substr(unit.size()));
  if (spec.find(',') != std::string_view::npos) return whole_file{};
  const auto dash = spec.find('-');
  if (dash == std::string_view::npos) return whole_file{};
  const auto first_text = trimmed(spec.substr(0, dash));
  const auto last_text = trimmed(spec.substr(dash + 1));
  if (first_text.empty()) {
    // "-n": the last n bytes.
    const auto suffix = number(last_text);
    if (!suffix) return whole_file{};
    if (*suffix == 0 || size == 0) return unsatisfiable_range{};
    const auto length = *suffix < size ? *suffix : size;
    return byte_range{size - length, size - 1};
  }
  const auto first = number(first_text);
  if (!first) return whole_file{};
  std::uint64_t last = size == 0 ? 0 : size - 1;
  if (!last_text.empty()) {
    const auto given = number(last_text);
    if (!given || *given < *first) return whole_file{};
    if (*given < last) last = *given;
  }
  if (*first >= size) return unsatisfiable_range{};
  return byte_range{*first, last};
}

}  // namespace chatterbox
