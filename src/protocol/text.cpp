#include "chatterbox/protocol/text.hpp"

#include <cstdint>
#include <cstring>

namespace chatterbox {
namespace {

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// The second byte's range excludes overlongs (E0, F0), surrogates (ED) and > U+10FFFF (F4).
std::size_t multibyte_length(const unsigned char* p, const unsigned char* end) {
  const unsigned char lead = p[0];
  std::size_t length;
  unsigned char low = 0x80, high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;  // a stray continuation byte, an overlong lead (C0, C1) or beyond U+10FFFF
  }
  if (static_cast<std::size_t>(end - p) < length) return 0;
  if (p[1] < low || p[1] > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (!is_continuation(p[i])) return 0;
  }
  return length;
}

// Whether any byte of an eight-byte word is not printable ASCII: a control (below 0x20 or 0x7F)
// or part of a multi-byte sequence (high bit set), which may be a C1 control. The tests are the
// classic "has a byte less than n" and "has a zero byte" bit tricks: exact for the word as a
// whole, which is all that is asked.
bool needs_a_closer_look(std::uint64_t word) {
  constexpr std::uint64_t ones = 0x0101010101010101ull;
  constexpr std::uint64_t high_bits = 0x8080808080808080ull;
  const std::uint64_t below_space = (word - ones * 0x20) & ~word & high_bits;
  const std::uint64_t del = word ^ (ones * 0x7F);
  const std::uint64_t has_del = (del - ones) & ~del & high_bits;
  return ((word & high_bits) | below_space | has_del) != 0;
}

bool is_control_at(const unsigned char* p, const unsigned char* end, allowed_controls allowed) {
  const unsigned char c = *p;
  if (c < 0x20) return allowed == allowed_controls::none || (c != '\n' && c != '\t');
  if (c == 0x7F) return true;
  // U+0080–U+009F are C2 80 – C2 9F; C2 is never a continuation byte, so no need to decode.
  return c == 0xC2 && end - p >= 2 && p[1] >= 0x80 && p[1] <= 0x9F;
}

}  // namespace

std::string joined(std::string_view head, std::string_view tail) {
  std::string out;
  out.reserve(head.size() + tail.size());
  out.append(head).append(tail);
  return out;
}

std::string_view trim_whitespace(std::string_view text) {
  constexpr std::string_view whitespace = " \t\n\r";
  const auto first = text.find_first_not_of(whitespace);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(whitespace);
  return text.substr(first, last - first + 1);
}

std::string_view normalise_line_breaks(std::string_view text, std::string& storage) {
  auto cr = text.find('\r');
  if (cr == std::string_view::npos) return text;
  storage.clear();
  storage.reserve(text.size());
  std::size_t from = 0;
  do {
    storage.append(text.substr(from, cr - from)).push_back('\n');
    from = cr + 1;
    if (from < text.size() && text[from] == '\n') ++from;  // \r\n is one line break
    cr = text.find('\r', from);
  } while (cr != std::string_view::npos);
  storage.append(text.substr(from));
  return storage;
}

bool has_control_character(std::string_view utf8, allowed_controls allowed) {
  const auto* p = reinterpret_cast<const unsigned char*>(utf8.data());
  const auto* const end = p + utf8.size();
  while (p != end) {
    // Chat text is mostly printable ASCII: skip it eight bytes at a time.
    while (end - p >= 8) {
      std::uint64_t word;
      std::memcpy(&word, p, 8);
      if (needs_a_closer_look(word)) break;
      p += 8;
    }
    // Then byte by byte through the word that needed a look (or the tail).
    const auto* const stop = end - p >= 8 ? p + 8 : end;
    for (; p != stop; ++p) {
      if (is_control_at(p, end, allowed)) return true;
    }
  }
  return false;
}

std::size_t count_code_points(std::string_view utf8) {
  std::size_t count = 0;
  for (const char c : utf8) {
    // Continuation bytes (10xxxxxx) belong to the code point before them.
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

std::string first_line_excerpt(std::string_view text, std::size_t max) {
  const auto line = text.substr(0, text.find('\n'));
  std::size_t count = 0;
  for (std::size_t at = 0; at < line.size(); ++at) {
    if ((static_cast<unsigned char>(line[at]) & 0xC0) == 0x80) continue;
    if (count == max) return joined(trim_whitespace(line.substr(0, at)), "…");
    ++count;
  }
  return std::string(line);
}

bool valid_emoji(std::string_view text) {
  if (text.empty() || !is_valid_utf8(text) || count_code_points(text) > 16) return false;
  if (has_control_character(text)) return false;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte == ' ' || (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z')) return false;
  }
  // Whitespace beyond ASCII space: the ones a client could slip in to look empty.
  for (const std::string_view space : {"\u00A0", "\u2028", "\u2029", "\u3000", "\u200B"}) {
    if (text.find(space) != std::string_view::npos) return false;
  }
  return true;
}

bool is_valid_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
  while (p != end) {
    // Chat text is mostly ASCII: skip it eight bytes at a time.
    while (end - p >= 8) {
      std::uint64_t word;
      std::memcpy(&word, p, 8);
      if (word & 0x8080808080808080ull) break;
      p += 8;
    }
    if (p == end) break;
    if (*p < 0x80) {
      ++p;
      continue;
    }
    const std::size_t length = multibyte_length(p, end);
    if (length == 0) return false;
    p += length;
  }
  return true;
}

std::size_t utf8_sequence_length(std::string_view text, std::size_t at) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  if (p[at] < 0x80) return 1;
  return multibyte_length(p + at, p + text.size());
}

}  // namespace chatterbox
