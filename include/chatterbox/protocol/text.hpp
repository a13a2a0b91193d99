#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace chatterbox {

// head + tail. Exists because GCC 12 reports a false -Warray-bounds on
// `std::string(a) + "literal"` once inlined; reserve + append avoids it.
std::string joined(std::string_view head, std::string_view tail);

// Strips spaces, tabs and line breaks (\n, \r) from both ends. Not \f or \v: message text
// refuses them as control characters, wherever they are.
std::string_view trim_whitespace(std::string_view text);

// \r\n and a lone \r become \n. Text without \r (nearly all of it) is returned as it is;
// otherwise the normalised copy is built in `storage` and a view of it returned.
std::string_view normalise_line_breaks(std::string_view text, std::string& storage);

enum class allowed_controls { none, newline_and_tab };
// Whether UTF-8 text holds a control character (Unicode category Cc: U+0000–U+001F,
// U+007F, U+0080–U+009F) other than the allowed ones. Mostly-ASCII text is checked eight bytes
// at a time.
bool has_control_character(std::string_view utf8,
                           allowed_controls allowed = allowed_controls::none);
// Number of code points in valid UTF-8 (nlohmann::json has already rejected invalid UTF-8).
std::size_t count_code_points(std::string_view utf8);
// The first line of `text`, at most `max` code points; a line that was cut ends in "…".
std::string first_line_excerpt(std::string_view text, std::size_t max);
// A reaction's emoji (docs/protocol.md, "Reactions"): 1–16 code points of valid UTF-8, none
// of them a control character, whitespace or an ASCII letter.
bool valid_emoji(std::string_view text);
// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
bool is_valid_utf8(std::string_view text);
// Length of the valid UTF-8 sequence starting at text[at] (1 for ASCII), or 0 if invalid.
std::size_t utf8_sequence_length(std::string_view text, std::size_t at);

}  // namespace chatterbox
