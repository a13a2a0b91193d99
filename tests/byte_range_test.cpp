// Range headers of downloads (docs/protocol.md, "GET /api/files/{id}/{name}").
#include "chatterbox/files/byte_range.hpp"

#include <gtest/gtest.h>

namespace chatterbox {
namespace {

byte_range range_of(std::string_view header, std::uint64_t size) {
  const auto parsed = parse_range(header, size);
  EXPECT_TRUE(std::holds_alternative<byte_range>(parsed)) << header;
  const auto* r = std::get_if<byte_range>(&parsed);
  return r ? *r : byte_range{};
}

bool whole(std::string_view header, std::uint64_t size) {
  return std::holds_alternative<whole_file>(parse_range(header, size));
}

bool unsatisfiable(std::string_view header, std::uint64_t size) {
  return std::holds_alternative<unsatisfiable_range>(parse_range(header, size));
}

TEST(byte_range, the_three_forms) {
  EXPECT_EQ(range_of("bytes=0-99", 1000), (byte_range{0, 99}));
  EXPECT_EQ(range_of("bytes=500-", 1000), (byte_range{500, 999}));
  EXPECT_EQ(range_of("bytes=-100", 1000), (byte_range{900, 999}));
  EXPECT_EQ(range_of("bytes=10-10", 1000).length(), 1u);
}

TEST(byte_range, a_range_past_the_end_is_cut_to_the_file) {
  EXPECT_EQ(range_of("bytes=900-5000", 1000), (byte_range{900, 999}));
  EXPECT_EQ(range_of("bytes=-5000", 1000), (byte_range{0, 999}));
}

TEST(byte_range, a_start_past_the_end_is_unsatisfiable) {
  EXPECT_TRUE(unsatisfiable("bytes=1000-", 1000));
  EXPECT_TRUE(unsatisfiable("bytes=2000-3000", 1000));
  EXPECT_TRUE(unsatisfiable("bytes=-0", 1000));
  EXPECT_TRUE(unsatisfiable("bytes=0-", 0));
}

TEST(byte_range, what_is_not_understood_sends_the_whole_file) {
  EXPECT_TRUE(whole("", 1000));
  EXPECT_TRUE(whole("bytes=0-1,5-6", 1000));  // several ranges
  EXPECT_TRUE(whole("items=0-1", 1000));
  EXPECT_TRUE(whole("bytes=5-1", 1000));
  EXPECT_TRUE(whole("bytes=a-b", 1000));
  EXPECT_TRUE(whole("bytes=-", 1000));
  EXPECT_TRUE(whole("bytes=1", 1000));
}

}  // namespace
}  // namespace chatterbox
