// The WebSocket layer itself (RFC 6455), driven byte by byte from a raw socket: what browsers
// and libraries never send on purpose but a server must still get right.
#include "support/raw_websocket.hpp"
#include "support/server_fixture.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

namespace chatterbox::test_support {
namespace {

using boost::asio::ip::tcp;

class websocket_test : public server_test {
 protected:
  std::unique_ptr<raw_websocket> connect_raw(const std::string& user) {
    auto ws = std::make_unique<raw_websocket>(port(), upgrade_request(token_for(port(), user)));
    const auto head = ws->response_head();
    EXPECT_EQ(head.rfind("HTTP/1.1 101", 0), 0u) << head;
    // The RFC 6455 example key's answer: the client can trust it is talking WebSocket.
    EXPECT_NE(head.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), std::string::npos);
    return ws;
  }
};

const std::string send_hi = R"({"type":"send","room":1,"client_id":"c1","text":"hi"})";

TEST_F(websocket_test, frames_sent_right_behind_the_upgrade_request_are_handled) {
  raw_websocket ws(port(), upgrade_request(token_for(port(), "eager")) + client_frame(fin_text, send_hi));
  EXPECT_EQ(ws.response_head().rfind("HTTP/1.1 101", 0), 0u);
  EXPECT_TRUE(ws.find(1, R"("type":"ack")"));
}

TEST_F(websocket_test, an_unsupported_version_gets_426_naming_version_13) {
  raw_websocket ws(port(), upgrade_request(token_for(port(), "old"), "8"));
  const auto head = ws.response_head();
  EXPECT_EQ(head.rfind("HTTP/1.1 426", 0), 0u) << head;
  EXPECT_NE(head.find("Sec-WebSocket-Version: 13"), std::string::npos) << head;
}

TEST_F(websocket_test, a_malformed_key_gets_400) {
  raw_websocket ws(port(), upgrade_request(token_for(port(), "odd"), "13", "not-a-key"));
  const auto head = ws.response_head();
  EXPECT_EQ(head.rfind("HTTP/1.1 400", 0), 0u) << head;
}

TEST_F(websocket_test, a_ping_is_answered_with_a_pong_carrying_its_payload) {
  auto ws = connect_raw("pinger");
  ws->write(client_frame(fin_ping, "are you there"));
  const auto pong = ws->find(0xA);
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->payload, "are you there");
}

TEST_F(websocket_test, a_fragmented_message_with_a_ping_in_between_is_reassembled) {
  auto ws = connect_raw("fragments");
  const auto half = send_hi.size() / 2;
  ws->write(client_frame(0x01, send_hi.substr(0, half)) + client_frame(fin_ping, "mid") +
           client_frame(0x80, send_hi.substr(half)));
  EXPECT_TRUE(ws->find(0xA, "mid"));
  EXPECT_TRUE(ws->find(1, R"("type":"ack")"));
}

TEST_F(websocket_test, a_message_split_across_many_small_writes_is_read_whole) {
  auto ws = connect_raw("dribbler");
  for (const char byte : client_frame(fin_text, send_hi)) ws->write(std::string(1, byte));
  EXPECT_TRUE(ws->find(1, R"("type":"ack")"));
}

TEST_F(websocket_test, an_unmasked_client_frame_is_closed_with_1002) {
  auto ws = connect_raw("unmasked");
  ws->write(client_frame(fin_text, send_hi, /*masked=*/false));
  const auto close = ws->find(8);
  ASSERT_TRUE(close);
  EXPECT_EQ(close->close_code(), 1002);
  EXPECT_TRUE(ws->ends());
}

TEST_F(websocket_test, invalid_utf8_text_is_closed_with_1007) {
  auto ws = connect_raw("garbled");
  ws->write(client_frame(fin_text, "\xC0\x80"));
  const auto close = ws->find(8);
  ASSERT_TRUE(close);
  EXPECT_EQ(close->close_code(), 1007);
}

TEST_F(websocket_test, a_client_close_is_echoed_and_then_the_connection_ends) {
  auto ws = connect_raw("leaver");
  ws->write(client_frame(fin_close, std::string("\x03\xE8" "bye", 5)));
  const auto close = ws->find(8);
  ASSERT_TRUE(close);
  EXPECT_EQ(close->close_code(), 1000);
  EXPECT_TRUE(ws->ends());
}

TEST_F(websocket_test, a_binary_frame_is_closed_with_1003_and_others_are_unaffected) {
  auto ws = connect_raw("binary");
  auto alice = connect("alice");
  ws->write(client_frame(fin_binary, "\x01\x02"));
  const auto close = ws->find(8);
  ASSERT_TRUE(close);
  EXPECT_EQ(close->close_code(), 1003);
  alice->say(general, "a1", "still here");
}

}  // namespace
}  // namespace chatterbox::test_support
