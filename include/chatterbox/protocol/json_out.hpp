#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace chatterbox::json_out {

// Appends `text` as a quoted JSON string. Invalid UTF-8 becomes U+FFFD rather than an error: a
// row edited by hand must not take the server down, nor produce a frame browsers reject.
void append_string(std::string& out, std::string_view text);
void append_int(std::string& out, std::int64_t value);
// Exactly how many bytes append_string / append_int would append: replies are budgeted in bytes
// before they are built.
std::size_t string_size(std::string_view text);
std::size_t int_size(std::int64_t value);
inline void append_bool(std::string& out, bool value) { out.append(value ? "true" : "false"); }

// Writes one JSON object field by field into `out`: `{` on construction, commas between
// fields, `}` on close(). Keys are trusted literals and are not escaped.
class object {
 public:
  explicit object(std::string& out) : out_(out) { out_.push_back('{'); }

  object& string(std::string_view key, std::string_view value) {
    append_string(field(key), value);
    return *this;
  }
  object& integer(std::string_view key, std::int64_t value) {
    append_int(field(key), value);
    return *this;
  }
  object& boolean(std::string_view key, bool value) {
    append_bool(field(key), value);
    return *this;
  }
  object& null(std::string_view key) {
    field(key).append("null");
    return *this;
  }
  // Appends `"key":` (after a comma unless it is the first field); the caller appends the
  // value, for one this class has no method for.
  std::string& field(std::string_view key) {
    if (!first_) out_.push_back(',');
    first_ = false;
    out_.push_back('"');
    out_.append(key).append("\":");
    return out_;
  }
  void close() { out_.push_back('}'); }

 private:
  std::string& out_;
  bool first_ = true;
};

}  // namespace chatterbox::json_out
