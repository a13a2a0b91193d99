#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace chatterbox::ws {

// SHA-1 (FIPS 180-4). Only for the WebSocket handshake, where RFC 6455 mandates it; it is not
// collision resistant and must not be used for anything security-sensitive.
std::array<std::uint8_t, 20> sha1(std::string_view data);

}  // namespace chatterbox::ws
