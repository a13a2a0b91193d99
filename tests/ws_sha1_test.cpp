#include "chatterbox/ws/sha1.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <string>

namespace chatterbox::ws {
namespace {

std::string sha1_hex(std::string_view data) {
  constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  for (const std::uint8_t byte : sha1(data)) {
    hex += digits[byte >> 4];
    hex += digits[byte & 0x0F];
  }
  return hex;
}

// FIPS 180 / RFC 3174 test vectors.
TEST(ws_sha1_test, Abc) { EXPECT_EQ(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d"); }

TEST(ws_sha1_test, Empty) { EXPECT_EQ(sha1_hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709"); }

TEST(ws_sha1_test, TwoBlockMessage) {
  EXPECT_EQ(sha1_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

TEST(ws_sha1_test, MillionAs) {
  EXPECT_EQ(sha1_hex(std::string(1'000'000, 'a')), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

// The padding needs a second block from 56 bytes into a block on: check either side of that
// edge and of the block edge itself.
TEST(ws_sha1_test, LengthsAroundPaddingEdges) {
  const std::pair<std::size_t, const char*> cases[] = {
      {55, "c1c8bbdc22796e28c0e15163d20899b65621d65a"},
      {56, "c2db330f6083854c99d4b5bfb6e8f29f201be699"},
      {63, "03f09f5b158a7a8cdad920bddc29b81c18a551f5"},
      {64, "0098ba824b5c16427bd7a1122a5a442a25ec644d"},
      {65, "11655326c708d70319be2610e8a57d9a5b959d3b"},
      {119, "ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56"},
      {120, "f34c1488385346a55709ba056ddd08280dd4c6d6"},
      {128, "ad5b3fdbcb526778c2839d2f151ea753995e26a0"},
  };
  for (const auto& [length, digest] : cases) {
    EXPECT_EQ(sha1_hex(std::string(length, 'a')), digest) << length << " bytes";
  }
}

}  // namespace
}  // namespace chatterbox::ws
