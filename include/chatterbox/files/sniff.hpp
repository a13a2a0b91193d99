#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace chatterbox {

// What a file is, decided from its bytes alone (docs/protocol.md, "POST /api/files"): the name
// and the client's Content-Type are never believed, since what is served inline must not be
// something a browser could run.
struct sniffed_type {
  std::string_view type;  // a MIME type from a fixed list (static storage)
  std::optional<std::uint32_t> width;
  std::optional<std::uint32_t> height;
};

// How much of the start of a file sniff_type wants: a JPEG's size comes after its EXIF block,
// which can be long. Bytes past this are not looked at.
inline constexpr std::size_t sniff_prefix_bytes = 128 * 1024;

// `head`: the file's first bytes (at most sniff_prefix_bytes are used).
sniffed_type sniff_type(std::span<const unsigned char> head);

// png, jpeg, gif and webp: the only types served inline.
bool is_inline_image(std::string_view type);

}  // namespace chatterbox
