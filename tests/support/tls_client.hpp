#pragma once

// Clients for a server that speaks TLS (--tls-cert): HTTPS requests and a WebSocket over TLS,
// each reporting which certificate the server showed. Declarations only; the Beast/OpenSSL
// code lives in tls_client.cpp.

#include "support/test_client.hpp"

#include <memory>
#include <optional>
#include <string>

namespace chatterbox::test_support {

struct test_certificate {
  std::string cert;  // PEM file
  std::string key;   // PEM file
};

// A self-signed certificate for 127.0.0.1 whose subject CN is `common_name` (so a client can
// tell two apart), made with the openssl command; throws on failure.
test_certificate make_certificate(const std::string& dir, const std::string& common_name);

struct https_result : http_result {
  std::string peer_common_name;  // the CN of the certificate the server presented
};

// One request on a fresh TLS connection (the certificate is not verified: it is self-signed).
https_result https_request(std::uint16_t port, http::verb method, const std::string& target,
                           const std::string& body = "",
                           const std::map<std::string, std::string>& headers = {});

// A token for `username` logged in over HTTPS.
std::string tls_token_for(std::uint16_t port, const std::string& username);

// The error of a TLS handshake with the server (empty when it succeeded), bounded.
std::string tls_handshake_error(std::uint16_t port);

// A WebSocket over TLS (protocol v2), with the hello consumed on connect.
class tls_ws_client {
 public:
  static std::unique_ptr<tls_ws_client> connect(std::uint16_t port, const std::string& token);
  ~tls_ws_client();

  void send(const json& frame);
  // The next event (array frames split), or nullopt when none came within `bound`.
  std::optional<json> next(std::chrono::steady_clock::duration bound = wait_bound);
  // The next event of `type`, skipping others; throws when none arrives in time.
  json expect(const std::string& type, std::chrono::steady_clock::duration bound = wait_bound);
  // The next `message` event with this text, skipping others (one's own messages come back too).
  json expect_message(const std::string& text,
                      std::chrono::steady_clock::duration bound = wait_bound);
  // Sends a message and returns its ack.
  json say(std::int64_t room, const std::string& client_id, const std::string& text);
  // Waits for the server to close the connection; the close code, or nullopt on timeout.
  std::optional<std::uint16_t> wait_closed(std::chrono::steady_clock::duration bound = wait_bound);

  const std::string& peer_common_name() const;
  json hello;

 private:
  tls_ws_client();
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace chatterbox::test_support
