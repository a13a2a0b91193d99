// Type and size from a file's first bytes (docs/protocol.md, "POST /api/files").
#include "chatterbox/files/sniff.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace chatterbox {
namespace {

using bytes = std::vector<unsigned char>;

bytes of(std::string_view text) { return bytes(text.begin(), text.end()); }

void append(bytes& out, std::initializer_list<unsigned> values) {
  for (const auto v : values) out.push_back(static_cast<unsigned char>(v));
}

void be32(bytes& out, std::uint32_t v) { append(out, {v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255}); }

sniffed_type sniff(const bytes& b) { return sniff_type(std::span<const unsigned char>(b)); }

bytes png(std::uint32_t width, std::uint32_t height) {
  bytes b = of("\x89PNG\r\n\x1a\n");
  be32(b, 13);
  const auto ihdr = of("IHDR");
  b.insert(b.end(), ihdr.begin(), ihdr.end());
  be32(b, width);
  be32(b, height);
  append(b, {8, 6, 0, 0, 0, 0, 0, 0, 0});  // depth, colour type, ..., CRC (not checked)
  return b;
}

TEST(file_sniff, png_size_comes_from_ihdr) {
  const auto s = sniff(png(800, 600));
  EXPECT_EQ(s.type, "image/png");
  EXPECT_EQ(s.width, 800u);
  EXPECT_EQ(s.height, 600u);
}

TEST(file_sniff, a_truncated_png_is_still_png_without_a_size) {
  auto b = png(800, 600);
  b.resize(20);
  const auto s = sniff(b);
  EXPECT_EQ(s.type, "image/png");
  EXPECT_FALSE(s.width);
  EXPECT_FALSE(s.height);
}

TEST(file_sniff, jpeg_size_comes_from_the_frame_header_after_other_segments) {
  bytes b;
  append(b, {0xFF, 0xD8});                                  // SOI
  append(b, {0xFF, 0xE0, 0x00, 0x10});                      // APP0, length 16
  for (int i = 0; i < 14; ++i) b.push_back(0);
  append(b, {0xFF, 0xE1, 0x00, 0x04, 0xAA, 0xBB});          // APP1 (EXIF), length 4
  append(b, {0xFF, 0xC4, 0x00, 0x03, 0x00});                // DHT: not a frame header
  append(b, {0xFF, 0xC2, 0x00, 0x11, 0x08, 0x01, 0xE0, 0x02, 0x80, 0x03});  // SOF2 480x640
  const auto s = sniff(b);
  EXPECT_EQ(s.type, "image/jpeg");
  EXPECT_EQ(s.width, 640u);
  EXPECT_EQ(s.height, 480u);
}

TEST(file_sniff, jpeg_without_a_frame_header_has_no_size) {
  bytes b;
  append(b, {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xDA});
  const auto s = sniff(b);
  EXPECT_EQ(s.type, "image/jpeg");
  EXPECT_FALSE(s.width);
}

TEST(file_sniff, gif_size_is_the_logical_screen) {
  auto b = of("GIF89a");
  append(b, {0x40, 0x01, 0xF0, 0x00, 0, 0, 0});  // 320 x 240, little-endian
  const auto s = sniff(b);
  EXPECT_EQ(s.type, "image/gif");
  EXPECT_EQ(s.width, 320u);
  EXPECT_EQ(s.height, 240u);
  EXPECT_EQ(sniff(of("GIF87a\x10\x00\x20\x00")).type, "image/gif");
}

bytes webp(std::string_view chunk, std::initializer_list<unsigned> payload) {
  auto b = of("RIFF");
  append(b, {0, 0, 0, 0});
  const auto tail = of("WEBP");
  b.insert(b.end(), tail.begin(), tail.end());
  const auto fourcc = of(chunk);
  b.insert(b.end(), fourcc.begin(), fourcc.end());
  append(b, {0, 0, 0, 0});
  append(b, payload);
  return b;
}

TEST(file_sniff, webp_lossy_lossless_and_extended) {
  // VP8: frame tag, start code, 14-bit sizes (the top bits are scaling and ignored).
  const auto lossy = sniff(webp("VP8 ", {0, 0, 0, 0x9d, 0x01, 0x2a, 0x20, 0x43, 0x58, 0x02}));
  EXPECT_EQ(lossy.type, "image/webp");
  EXPECT_EQ(lossy.width, 800u);   // 0x0320 | scale bits 0x4000
  EXPECT_EQ(lossy.height, 600u);  // 0x0258
  // VP8L: 0x2f, then width-1 and height-1 in 14 bits each: 100x50.
  const std::uint32_t bits = 99 | (49u << 14);
  const auto lossless = sniff(webp("VP8L", {0x2f, bits & 255, (bits >> 8) & 255, (bits >> 16) & 255,
                                            (bits >> 24) & 255}));
  EXPECT_EQ(lossless.width, 100u);
  EXPECT_EQ(lossless.height, 50u);
  // VP8X: flags, then 24-bit canvas width-1 and height-1: 2000x1000.
  const auto extended =
      sniff(webp("VP8X", {0, 0, 0, 0, 0xCF, 0x07, 0x00, 0xE7, 0x03, 0x00}));
  EXPECT_EQ(extended.width, 2000u);
  EXPECT_EQ(extended.height, 1000u);
}

TEST(file_sniff, pdf_and_everything_else) {
  EXPECT_EQ(sniff(of("%PDF-1.7\n")).type, "application/pdf");
  EXPECT_EQ(sniff(of("<html><script>alert(1)</script>")).type, "application/octet-stream");
  // SVG can carry script: never an image.
  EXPECT_EQ(sniff(of("<svg xmlns=\"http://www.w3.org/2000/svg\"/>")).type,
            "application/octet-stream");
  EXPECT_EQ(sniff(bytes{}).type, "application/octet-stream");
  EXPECT_EQ(sniff(of("\x89PN")).type, "application/octet-stream");
}

TEST(file_sniff, only_raster_images_are_inline) {
  for (const auto type : {"image/png", "image/jpeg", "image/gif", "image/webp"}) {
    EXPECT_TRUE(is_inline_image(type)) << type;
  }
  for (const auto type : {"image/svg+xml", "application/pdf", "application/octet-stream", "text/html"}) {
    EXPECT_FALSE(is_inline_image(type)) << type;
  }
}

}  // namespace
}  // namespace chatterbox
