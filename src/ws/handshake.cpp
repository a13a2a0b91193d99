#include "chatterbox/ws/handshake.hpp"

#include "chatterbox/ws/sha1.hpp"

#include <array>
#include <cstddef>
#include <cstdint>

namespace chatterbox::ws {
namespace {

constexpr std::string_view websocket_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr std::string_view base64_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Standard base64 with padding (RFC 4648 section 4).
std::string base64(const std::uint8_t* data, std::size_t size) {
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  for (std::size_t at = 0; at < size; at += 3) {
    const std::size_t n = size - at < 3 ? size - at : 3;
    std::uint32_t group = std::uint32_t{data[at]} << 16;
    if (n > 1) group |= std::uint32_t{data[at + 1]} << 8;
    if (n > 2) group |= data[at + 2];
    for (std::size_t i = 0; i < 4; ++i) {
      out += i <= n ? base64_alphabet[(group >> (18 - 6 * i)) & 0x3F] : '=';
    }
  }
  return out;
}

}  // namespace

std::string accept_key(std::string_view client_key) {
  std::string keyed;
  keyed.reserve(client_key.size() + websocket_guid.size());
  keyed.append(client_key).append(websocket_guid);
  const auto digest = sha1(keyed);
  return base64(digest.data(), digest.size());
}

bool is_valid_client_key(std::string_view key) {
  // 16 bytes encode as 22 characters and two '=' of padding. The pad bits of the last
  // character are not checked: RFC 4648 lets decoders accept them, and nothing depends on it.
  constexpr std::size_t data_chars = 22;
  if (key.size() != data_chars + 2 || !key.ends_with("==")) return false;
  return key.substr(0, data_chars).find_first_not_of(base64_alphabet) == std::string_view::npos;
}

std::string upgrade_response(std::string_view client_key) {
  std::string response =
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ";
  response += accept_key(client_key);
  response +=
      "\r\n"
      "Server: chatterbox\r\n"
      "\r\n";
  return response;
}

}  // namespace chatterbox::ws
