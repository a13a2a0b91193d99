#pragma once

#include <string>
#include <string_view>

namespace chatterbox::ws {

// The server side of the RFC 6455 opening handshake (section 4.2). The HTTP layer checks the
// method, Upgrade, Connection and Sec-WebSocket-Version headers; these are the WebSocket-specific
// parts.

// base64(SHA-1(client_key + the RFC's GUID)): proves to the client that the server understood
// the WebSocket request rather than being an HTTP server that echoes headers.
std::string accept_key(std::string_view client_key);

// Sec-WebSocket-Key must be base64 of 16 bytes: 22 base64 characters followed by "==".
bool is_valid_client_key(std::string_view key);

// The complete 101 response, ready to write to the socket.
std::string upgrade_response(std::string_view client_key);

}  // namespace chatterbox::ws
