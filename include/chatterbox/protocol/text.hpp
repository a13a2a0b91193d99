#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace chatterbox {

// head + tail. Exists because GCC 12 reports a false -Warray-bounds on
// `std::string(a) + "literal"` once inlined; reserve + append avoids it.
std::string joined(std::string_view head, std::string_view tail);

// Strips Unicode-agnostic ASCII whitespace (space, \t, \n, \r, \f, \v) from both ends.
std::string_view trim_whitespace(std::string_view text);
// Number of code points in valid UTF-8 (nlohmann::json has already rejected invalid UTF-8).
std::size_t count_code_points(std::string_view utf8);
// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
bool is_valid_utf8(std::string_view text);
// Length of the valid UTF-8 sequence starting at text[at] (1 for ASCII), or 0 if invalid.
std::size_t utf8_sequence_length(std::string_view text, std::size_t at);

}  // namespace chatterbox
