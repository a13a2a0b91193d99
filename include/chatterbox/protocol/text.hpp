#pragma once

#include <cstddef>
#include <string_view>

namespace chatterbox {

// Strips Unicode-agnostic ASCII whitespace (space, \t, \n, \r, \f, \v) from both ends.
std::string_view trim_whitespace(std::string_view text);
// Number of code points in valid UTF-8 (nlohmann::json has already rejected invalid UTF-8).
std::size_t count_code_points(std::string_view utf8);

}  // namespace chatterbox
