#include "chatterbox/protocol/json_out.hpp"

#include "chatterbox/protocol/text.hpp"

#include <array>
#include <charconv>

namespace chatterbox::json_out {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

void append_escaped_control(std::string& out, unsigned char c) {
  static constexpr char hex[] = "0123456789abcdef";
  switch (c) {
    case '\n': out.append("\\n"); return;
    case '\r': out.append("\\r"); return;
    case '\t': out.append("\\t"); return;
    case '\b': out.append("\\b"); return;
    case '\f': out.append("\\f"); return;
    default: {
      const std::array<char, 6> escaped{'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
      out.append(escaped.data(), escaped.size());
    }
  }
}

}  // namespace

void append_string(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size() + 2);
  out.push_back('"');
  std::size_t i = 0;
  while (i < text.size()) {
    // Copy the longest run that needs no escaping in one append.
    std::size_t run = i;
    while (run < text.size()) {
      const auto c = static_cast<unsigned char>(text[run]);
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
      ++run;
    }
    out.append(text.data() + i, run - i);
    i = run;
    if (i == text.size()) break;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      if (const auto length = utf8_sequence_length(text, i)) {
        out.append(text.data() + i, length);
        i += length;
      } else {
        out.append(replacement);
        ++i;
      }
    } else if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
      ++i;
    } else {
      append_escaped_control(out, c);
      ++i;
    }
  }
  out.push_back('"');
}

std::size_t string_size(std::string_view text) {
  std::size_t size = 2;  // the quotes
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++size;
      ++i;
    } else if (c >= 0x80) {
      const auto length = utf8_sequence_length(text, i);
      size += length != 0 ? length : replacement.size();
      i += length != 0 ? length : 1;
    } else if (c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' ||
               c == '\f') {
      size += 2;
      ++i;
    } else {
      size += 6;  // \u00XX
      ++i;
    }
  }
  return size;
}

std::size_t int_size(std::int64_t value) {
  std::array<char, 24> digits;
  return static_cast<std::size_t>(
      std::to_chars(digits.data(), digits.data() + digits.size(), value).ptr - digits.data());
}

void append_int(std::string& out, std::int64_t value) {
  std::array<char, 24> digits;
  const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), value).ptr;
  out.append(digits.data(), static_cast<std::size_t>(end - digits.data()));
}

}  // namespace chatterbox::json_out
