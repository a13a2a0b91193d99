#include "chatterbox/ws/sha1.hpp"

#include <cstddef>
#include <cstring>

namespace chatterbox::ws {
namespace {

using state = std::array<std::uint32_t, 5>;
constexpr std::size_t block_bytes = 64;

std::uint32_t rotl(std::uint32_t x, int bits) { return (x << bits) | (x >> (32 - bits)); }

std::uint32_t load_be32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

// The round function and constant change every 20 of the 80 rounds.
std::uint32_t round_mix(int round, std::uint32_t b, std::uint32_t c, std::uint32_t d) {
  if (round < 20) return ((b & c) | (~b & d)) + 0x5A827999u;
  if (round < 40) return (b ^ c ^ d) + 0x6ED9EBA1u;
  if (round < 60) return ((b & c) | (b & d) | (c & d)) + 0x8F1BBCDCu;
  return (b ^ c ^ d) + 0xCA62C1D6u;
}

void compress(state& h, const unsigned char* block) {
  std::uint32_t w[80];
  for (int i = 0; i < 16; ++i) w[i] = load_be32(block + 4 * i);
  for (int i = 16; i < 80; ++i) w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);

  std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
  for (int i = 0; i < 80; ++i) {
    const std::uint32_t t = rotl(a, 5) + round_mix(i, b, c, d) + e + w[i];
    e = d;
    d = c;
    c = rotl(b, 30);
    b = a;
    a = t;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
}

// The last partial block, the 0x80 terminator and the 64-bit bit length need one block, or two
// when fewer than 9 bytes are left in the first.
void compress_tail(state& h, const unsigned char* rest, std::size_t rest_bytes,
                   std::uint64_t total_bytes) {
  unsigned char tail[2 * block_bytes] = {};
  if (rest_bytes > 0) std::memcpy(tail, rest, rest_bytes);
  tail[rest_bytes] = 0x80;
  const std::size_t tail_bytes = rest_bytes < block_bytes - 8 ? block_bytes : 2 * block_bytes;
  const std::uint64_t bits = total_bytes * 8;
  for (std::size_t i = 0; i < 8; ++i) {
    tail[tail_bytes - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
  }
  for (std::size_t at = 0; at < tail_bytes; at += block_bytes) compress(h, tail + at);
}

}  // namespace

std::array<std::uint8_t, 20> sha1(std::string_view data) {
  state h = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  const std::size_t whole = data.size() - data.size() % block_bytes;
  for (std::size_t at = 0; at < whole; at += block_bytes) compress(h, bytes + at);
  compress_tail(h, bytes + whole, data.size() - whole, data.size());

  std::array<std::uint8_t, 20> digest{};
  for (std::size_t i = 0; i < digest.size(); ++i) {
    digest[i] = static_cast<std::uint8_t>(h[i / 4] >> (24 - 8 * (i % 4)));
  }
  return digest;
}

}  // namespace chatterbox::ws
