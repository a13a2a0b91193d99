#pragma once

#include <algorithm>
#include <string>
#include <string_view>

// Byte-wise ASCII helpers for the parsers of headers, configuration and queries. Not
// std::isspace or std::tolower: those depend on the C locale and are undefined for negative
// chars, which UTF-8 text is full of.
namespace chatterbox::ascii {

// HTTP's optional whitespace (RFC 9110 §5.6.3): space and tab.
constexpr bool is_ows(char c) { return c == ' ' || c == '\t'; }

// JSON's whitespace (RFC 8259 §2).
constexpr bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

constexpr char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// A copy with A-Z lowered and every other byte (UTF-8 included) as it was.
inline std::string lowered(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

constexpr std::string_view trim(std::string_view s, bool (*blank)(char) = is_ows) {
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

constexpr bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

}  // namespace chatterbox::ascii
