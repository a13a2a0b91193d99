#include "chatterbox/ws/handshake.hpp"

#include <gtest/gtest.h>

namespace chatterbox::ws {
namespace {

constexpr std::string_view rfc_key = "dGhlIHNhbXBsZSBub25jZQ==";  // RFC 6455 section 1.3

TEST(ws_handshake_test, AcceptKeyMatchesRfcExample) {
  EXPECT_EQ(accept_key(rfc_key), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(ws_handshake_test, AcceptsSixteenByteBase64Keys) {
  EXPECT_TRUE(is_valid_client_key(rfc_key));
  EXPECT_TRUE(is_valid_client_key("AAAAAAAAAAAAAAAAAAAAAA=="));
  EXPECT_TRUE(is_valid_client_key("+/+/+/+/+/+/+/+/+/+/+w=="));
}

TEST(ws_handshake_test, RejectsOtherKeys) {
  EXPECT_FALSE(is_valid_client_key(""));
  EXPECT_FALSE(is_valid_client_key("dGhlIHNhbXBsZSBub25jZQ="));    // 23 characters
  EXPECT_FALSE(is_valid_client_key("dGhlIHNhbXBsZSBub25jZQ==="));  // 25 characters
  EXPECT_FALSE(is_valid_client_key("dGhlIHNhbXBsZSBub25jZQAA"));   // 18 bytes, no padding
  EXPECT_FALSE(is_valid_client_key("dGhlIHNhbXBsZSBub25jZ=A=="));  // padding inside
  EXPECT_FALSE(is_valid_client_key("dGhlIHNhbXBsZSBub25jZ!=="));   // not base64
  EXPECT_FALSE(is_valid_client_key("dGhlIHNhbXBsZSBub25j Q=="));
}

TEST(ws_handshake_test, UpgradeResponseIsComplete) {
  EXPECT_EQ(upgrade_response(rfc_key),
            "HTTP/1.1 101 Switching Protocols\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
            "Server: chatterbox\r\n"
            "\r\n");
}

}  // namespace
}  // namespace chatterbox::ws
