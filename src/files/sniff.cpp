#include "chatterbox/files/sniff.hpp"

#include <algorithm>
#include <cstring>

namespace chatterbox {
namespace {

constexpr std::string_view octet_stream = "application/octet-stream";

using bytes = std::span<const unsigned char>;

bool starts_with(bytes data, std::string_view magic, std::size_t at = 0) {
  return data.size() >= at + magic.size() &&
         std::memcmp(data.data() + at, magic.data(), magic.size()) == 0;
}

std::uint32_t be16(bytes d, std::size_t at) { return (std::uint32_t(d[at]) << 8) | d[at + 1]; }
std::uint32_t le16(bytes d, std::size_t at) { return d[at] | (std::uint32_t(d[at + 1]) << 8); }
std::uint32_t le24(bytes d, std::size_t at) { return le16(d, at) | (std::uint32_t(d[at + 2]) << 16); }
std::uint32_t be32(bytes d, std::size_t at) { return (be16(d, at) << 16) | be16(d, at + 2); }
std::uint32_t le32(bytes d, std::size_t at) { return le16(d, at) | (le16(d, at + 2) << 16); }

sniffed_type image(std::string_view type, std::uint32_t width, std::uint32_t height) {
  // A zero size is a broken header; the image is still served, just without a size hint.
  if (width == 0 || height == 0) return {type, std::nullopt, std::nullopt};
  return {type, width, height};
}

sniffed_type png(bytes d) {
  // Signature, then the IHDR chunk must come first: length(4) "IHDR" width(4) height(4).
  if (d.size() < 24 || !starts_with(d, "IHDR", 12)) return {"image/png", {}, {}};
  return image("image/png", be32(d, 16), be32(d, 20));
}

bool is_start_of_frame(unsigned char marker) {
  // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range.
  return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

sniffed_type jpeg(bytes d) {
  std::size_t at = 2;  // after SOI
  while (at + 4 <= d.size()) {
    if (d[at] != 0xFF) break;  // not a marker where one must be: give up on the size
    const unsigned char marker = d[at + 1];
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    // Markers without a length: TEM, RSTn.
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
      at += 2;
      continue;
    }
    if (marker == 0xD9 || marker == 0xDA) break;  // end of image, start of scan: no SOF before
    const std::uint32_t length = be16(d, at + 2);
    if (length < 2) break;
    if (is_start_of_frame(marker)) {
      // length(2) precision(1) height(2) width(2)
      if (at + 9 > d.size()) break;
      return image("image/jpeg", be16(d, at + 7), be16(d, at + 5));
    }
    at += 2 + length;
  }
  return {"image/jpeg", {}, {}};
}

sniffed_type gif(bytes d) {
  if (d.size() < 10) return {"image/gif", {}, {}};
  return image("image/gif", le16(d, 6), le16(d, 8));
}

sniffed_type webp(bytes d) {
  // RIFF size WEBP, then the first chunk: fourcc(4) size(4) payload.
  constexpr std::size_t chunk = 12;
  constexpr std::size_t payload = chunk + 8;
  if (starts_with(d, "VP8 ", chunk) && d.size() >= payload + 10) {
    // Frame tag(3), start code 9d 01 2a, then 14-bit width and height.
    if (d[payload + 3] != 0x9d || d[payload + 4] != 0x01 || d[payload + 5] != 0x2a) {
      return {"image/webp", {}, {}};
    }
    return image("image/webp", le16(d, payload + 6) & 0x3FFF, le16(d, payload + 8) & 0x3FFF);
  }
  if (starts_with(d, "VP8L", chunk) && d.size() >= payload + 5) {
    // Signature 0x2f, then 14 bits width-1 and 14 bits height-1.
    if (d[payload] != 0x2f) return {"image/webp", {}, {}};
    const std::uint32_t bits = le32(d, payload + 1);
    return image("image/webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
  }
  if (starts_with(d, "VP8X", chunk) && d.size() >= payload + 10) {
    // Flags(4), then 24-bit canvas width-1 and height-1.
    return image("image/webp", le24(d, payload + 4) + 1, le24(d, payload + 7) + 1);
  }
  return {"image/webp", {}, {}};
}

}  // namespace

sniffed_type sniff_type(std::span<const unsigned char> head) {
  const auto d = head.first(std::min(head.size(), sniff_prefix_bytes));
  if (starts_with(d, "\x89PNG\r\n\x1a\n")) return png(d);
  if (starts_with(d, "\xFF\xD8\xFF")) return jpeg(d);
  if (starts_with(d, "GIF87a") || starts_with(d, "GIF89a")) return gif(d);
  if (starts_with(d, "RIFF") && starts_with(d, "WEBP", 8)) return webp(d);
  if (starts_with(d, "%PDF-")) return {"application/pdf", {}, {}};
  return {octet_stream, {}, {}};
}

bool is_inline_image(std::string_view type) {
  return type == "image/png" || type == "image/jpeg" || type == "image/gif" ||
         type == "image/webp";
}

}  // namespace chatterbox
