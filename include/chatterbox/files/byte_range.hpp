#pragma once

#include <cstdint>
#include <string_view>
#include <variant>

namespace chatterbox {

// A Range request header (RFC 9110 §14), as far as downloads support it: one range of bytes.
struct whole_file {};            // no header, several ranges, another unit: answer 200
struct unsatisfiable_range {};   // starts past the end: answer 416
struct byte_range {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
  std::uint64_t length() const { return last - first + 1; }
  bool operator==(const byte_range&) const = default;
};
using range_request = std::variant<whole_file, byte_range, unsatisfiable_range>;

// `header`: the Range value ("" when absent); `size`: the file's size in bytes.
range_request parse_range(std::string_view header, std::uint64_t size);

}  // namespace chatterbox
