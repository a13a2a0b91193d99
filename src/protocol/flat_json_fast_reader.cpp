#include "chatterbox/protocol/flat_json_fast_reader.hpp"

#include "chatterbox/protocol/text.hpp"
#include "chatterbox/text/ascii.hpp"

#include <charconv>
#include <cstdint>
#include <string>

namespace chatterbox {
namespace {

using ascii::is_space;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, std::uint32_t code_point) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

// A strict single-pass reader for the common shape. Every method returns false for anything
// it does not handle — invalid JSON or merely unusual — and the SAX reader then decides.
class fast_reader {
 public:
  explicit fast_reader(std::string_view text) : text_(text) {}

  std::optional<flat_json_status> read_object(flat_object& out) {
    skip_space();
    if (!take('{')) return std::nullopt;
    skip_space();
    if (take('}')) return finish();
    for (std::size_t members = 1;; ++members) {
      skip_space();
      key_.clear();
      if (!read_string(key_)) return std::nullopt;
      // Where the SAX reader stops too (its key event comes before the colon): nothing after
      // this key is read, which is what keeps a frame of thousands of keys cheap.
      if (members > max_frame_fields) return flat_json_status::too_many_fields;
      skip_space();
      if (!take(':')) return std::nullopt;
      skip_space();
      auto* value = out.assign(key_);
      if (!value) return flat_json_status::too_many_fields;
      if (!read_value(*value)) return std::nullopt;
      skip_space();
      if (take('}')) return finish();
      if (!take(',')) return std::nullopt;
    }
  }

 private:
  std::optional<flat_json_status> finish() {
    if (!at_end()) return std::nullopt;
    return flat_json_status::ok;
  }

  bool at_end() {
    skip_space();
    return pos_ == text_.size();
  }

  void skip_space() {
    while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
  }

  bool take(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool take_word(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool read_value(flat_value& value) {
    if (pos_ >= text_.size()) return false;
    const char c = text_[pos_];
    if (c == '"') {
      value.type = flat_value::kind::string;
      return read_string(value.string);
    }
    if (c == 't' || c == 'f') {
      value.type = flat_value::kind::boolean;
      value.boolean = c == 't';
      return take_word(value.boolean ? "true" : "false");
    }
    if (c == 'n') {
      value.type = flat_value::kind::null;
      return take_word("null");
    }
    if (c == '-' || (c >= '0' && c <= '9')) return read_integer(value);
    return false;  // arrays and objects: the slow path
  }

  // Plain integers only; fractions, exponents, leading zeros and overflow take the slow path.
  bool read_integer(flat_value& value) {
    const std::size_t start = pos_;
    if (text_[pos_] == '-') ++pos_;
    const std::size_t digits = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    if (pos_ == digits || (text_[digits] == '0' && pos_ - digits > 1)) return false;
    if (pos_ < text_.size() && (text_[pos_] == '.' || text_[pos_] == 'e' || text_[pos_] == 'E')) {
      return false;
    }
    const auto [end, error] =
        std::from_chars(text_.data() + start, text_.data() + pos_, value.integer);
    if (error != std::errc() || end != text_.data() + pos_) return false;
    value.type = flat_value::kind::integer;
    return true;
  }

  bool read_string(std::string& out) {
    if (!take('"')) return false;
    for (;;) {
      // Copy the longest run needing no attention in one go.
      std::size_t run = pos_;
      while (run < text_.size()) {
        const auto c = static_cast<unsigned char>(text_[run]);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++run;
      }
      out.append(text_.data() + pos_, run - pos_);
      pos_ = run;
      if (pos_ >= text_.size()) return false;
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return false;  // raw control characters are invalid JSON
      if (c >= 0x80) {
        const auto length = utf8_sequence_length(text_, pos_);
        if (length == 0) return false;
        out.append(text_.data() + pos_, length);
        pos_ += length;
        continue;
      }
      if (!read_escape(out)) return false;
    }
  }

  bool read_escape(std::string& out) {
    ++pos_;  // the backslash
    if (pos_ >= text_.size()) return false;
    const char c = text_[pos_++];
    switch (c) {
      case '"': out.push_back('"'); return true;
      case '\\': out.push_back('\\'); return true;
      case '/': out.push_back('/'); return true;
      case 'b': out.push_back('\b'); return true;
      case 'f': out.push_back('\f'); return true;
      case 'n': out.push_back('\n'); return true;
      case 'r': out.push_back('\r'); return true;
      case 't': out.push_back('\t'); return true;
      case 'u': return read_unicode_escape(out);
      default: return false;
    }
  }

  bool read_hex4(std::uint32_t& unit) {
    if (text_.size() - pos_ < 4) return false;
    unit = 0;
    for (int i = 0; i < 4; ++i) {
      const int digit = hex_digit(text_[pos_++]);
      if (digit < 0) return false;
      unit = unit * 16 + static_cast<std::uint32_t>(digit);
    }
    return true;
  }

  bool read_unicode_escape(std::string& out) {
    std::uint32_t unit = 0;
    if (!read_hex4(unit)) return false;
    if (unit >= 0xDC00 && unit <= 0xDFFF) return false;  // a lone low surrogate
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      std::uint32_t low = 0;
      if (!take('\\') || !take('u') || !read_hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
      unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(out, unit);
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::string key_;  // one buffer for every key: short ones never allocate
};

}  // namespace

std::optional<flat_json_status> read_flat_object_fast(std::string_view text, flat_object& out) {
  out.clear();
  return fast_reader(text).read_object(out);
}

}  // namespace chatterbox
