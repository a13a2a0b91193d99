#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace chatterbox {

inline constexpr std::size_t max_file_name_bytes = 255;

// %XX decoding of a query parameter ('+' is a space, as browsers' URLSearchParams write it,
// unless plus_is_space is false: a URL's user and password); nullopt for a malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = true);

// The name an upload is stored under: everything up to the last '/' or '\' dropped (a browser
// may send a path), then 1–255 bytes of valid UTF-8 without control characters; nullopt when
// not.
std::optional<std::string> clean_file_name(std::string_view name);

// The value of a query parameter of `target` ("/path?a=1&b=2"), still percent-encoded;
// nullopt when absent.
std::optional<std::string_view> query_parameter(std::string_view target, std::string_view key);

// Content-Disposition for a download: `inline`, or `attachment` with the name as an RFC 8187
// filename* (every byte outside the unreserved set percent-encoded, so no quote, semicolon or
// line break can reach the header).
std::string content_disposition(std::string_view name, bool as_attachment);

}  // namespace chatterbox
