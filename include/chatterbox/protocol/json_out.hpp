#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace chatterbox::json_out {

// Appends `text` as a quoted JSON string. Invalid UTF-8 becomes U+FFFD rather than an error: a
// row edited by hand must not take the server down, nor produce a frame browsers reject.
void append_string(std::string& out, std::string_view text);
void append_int(std::string& out, std::int64_t value);
inline void append_bool(std::string& out, bool value) { out.append(value ? "true" : "false"); }

}  // namespace chatterbox::json_out
