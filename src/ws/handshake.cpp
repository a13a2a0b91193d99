#include "chatterbox/ws/handshake.hpp"

#include "chatterbox/ws/sha1.hpp"

#include <sodium.h>

#include <array>
#include <cstddef>

namespace chatterbox::ws {
namespace {

constexpr std::string_view websocket_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr int base64_variant = sodium_base64_VARIANT_ORIGINAL;  // RFC 4648 section 4, padded
constexpr std::size_t client_key_bytes = 16;

}  // namespace

std::string accept_key(std::string_view client_key) {
  std::string keyed;
  keyed.reserve(client_key.size() + websocket_guid.size());
  keyed.append(client_key).append(websocket_guid);
  const auto digest = sha1(keyed);
  std::array<char, sodium_base64_ENCODED_LEN(digest.size(), base64_variant)> encoded;
  sodium_bin2base64(encoded.data(), encoded.size(), digest.data(), digest.size(), base64_variant);
  return encoded.data();
}

bool is_valid_client_key(std::string_view key) {
  std::array<unsigned char, client_key_bytes> decoded;
  std::size_t length = 0;
  const char* end = nullptr;
  return sodium_base642bin(decoded.data(), decoded.size(), key.data(), key.size(), nullptr,
                           &length, &end, base64_variant) == 0 &&
         end == key.data() + key.size() && length == client_key_bytes;
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
