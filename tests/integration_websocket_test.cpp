// The WebSocket layer itself (RFC 6455), driven byte by byte from a raw socket: what browsers
// and libraries never send on purpose but a server must still get right.
#include "support/server_fixture.hpp"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <sys/socket.h>
#include <sys/time.h>

#include <memory>
#include <optional>
#include <string>

namespace chatterbox::test_support {
namespace {

using boost::asio::ip::tcp;

std::string upgrade_request(const std::string& token, const std::string& version = "13",
                            const std::string& key = "dGhlIHNhbXBsZSBub25jZQ==") {
  return "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: " + version + "\r\n"
         "Authorization: Bearer " + token + "\r\n\r\n";
}

// A client frame; masked unless a test wants to break that rule.
std::string client_frame(std::uint8_t first_byte, const std::string& payload, bool masked = true) {
  std::string frame(1, static_cast<char>(first_byte));
  const std::uint8_t mask_bit = masked ? 0x80 : 0;
  if (payload.size() < 126) {
    frame.push_back(static_cast<char>(mask_bit | payload.size()));
  } else {
    frame.push_back(static_cast<char>(mask_bit | 126));
    frame.push_back(static_cast<char>(payload.size() >> 8));
    frame.push_back(static_cast<char>(payload.size() & 0xFF));
  }
  const std::string key = masked ? "\x12\x34\x56\x78" : "";
  frame += key;
  for (std::size_t i = 0; i < payload.size(); ++i) {
    frame.push_back(masked ? static_cast<char>(payload[i] ^ key[i % 4]) : payload[i]);
  }
  return frame;
}

constexpr std::uint8_t fin_text = 0x81;
constexpr std::uint8_t fin_binary = 0x82;
constexpr std::uint8_t fin_close = 0x88;
constexpr std::uint8_t fin_ping = 0x89;

struct server_frame {
  std::uint8_t opcode = 0;
  std::string payload;
  std::uint16_t close_code() const {
    return payload.size() < 2 ? 0
                              : static_cast<std::uint16_t>(
                                    (static_cast<unsigned char>(payload[0]) << 8) |
                                    static_cast<unsigned char>(payload[1]));
  }
};

// A blocking socket whose reads give up after a few seconds, so no test can hang.
class raw_websocket {
 public:
  raw_websocket(std::uint16_t port, const std::string& request) : socket_(io_) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    timeval bound{5, 0};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
    write(request);
  }

  void write(const std::string& bytes) { boost::asio::write(socket_, boost::asio::buffer(bytes)); }

  // The status line and headers of the server's answer to the upgrade request.
  std::string response_head() {
    while (buffer_.find("\r\n\r\n") == std::string::npos) {
      if (!fill()) return buffer_;
    }
    const auto end = buffer_.find("\r\n\r\n") + 4;
    auto head = buffer_.substr(0, end);
    buffer_.erase(0, end);
    return head;
  }

  std::optional<server_frame> read_frame() {
    if (!need(2)) return std::nullopt;
    server_frame frame;
    frame.opcode = static_cast<unsigned char>(buffer_[0]) & 0x0F;
    std::size_t length = static_cast<unsigned char>(buffer_[1]) & 0x7F;
    std::size_t header = 2;
    if (length == 126) {
      if (!need(4)) return std::nullopt;
      length = (static_cast<unsigned char>(buffer_[2]) << 8) | static_cast<unsigned char>(buffer_[3]);
      header = 4;
    } else if (length == 127) {
      if (!need(10)) return std::nullopt;
      length = 0;
      for (int i = 2; i < 10; ++i) length = (length << 8) | static_cast<unsigned char>(buffer_[i]);
      header = 10;
    }
    if (!need(header + length)) return std::nullopt;
    frame.payload = buffer_.substr(header, length);
    buffer_.erase(0, header + length);
    return frame;
  }

  // Skips frames until one with `opcode` whose payload contains `needle`.
  std::optional<server_frame> find(std::uint8_t opcode, const std::string& needle = "") {
    while (auto frame = read_frame()) {
      if (frame->opcode == opcode && frame->payload.find(needle) != std::string::npos) return frame;
    }
    return std::nullopt;
  }

  // True when the server closed the TCP connection (a read returns end of file).
  bool ends() {
    while (fill()) {
    }
    return eof_;
  }

 private:
  bool need(std::size_t bytes) {
    while (buffer_.size() < bytes) {
      if (!fill()) return false;
    }
    return true;
  }

  bool fill() {
    char chunk[4096];
    boost::system::error_code ec;
    const auto n = socket_.read_some(boost::asio::buffer(chunk), ec);
    if (ec == boost::asio::error::eof) eof_ = true;
    if (ec) return false;
    buffer_.append(chunk, n);
    return true;
  }

  boost::asio::io_context io_;
  tcp::socket socket_;
  std::string buffer_;
  bool eof_ = false;
};

class websocket_test : public server_test {
 protected:
  std::unique_ptr<raw_websocket> connect(const std::string& user) {
    auto ws = std::make_unique<raw_websocket>(port(), upgrade_request(token_for(port(), user)));
    const auto head = ws->response_head();
    EXPECT_EQ(head.rfind("HTTP/1.1 101", 0), 0u) << head;
    // The RFC 6455 example key's answer: the client can trust it is talking WebSocket.
    EXPECT_NE(head.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), std::string::npos);
    return ws;
  }
};

const std::string send_hi = R"({"type":"send","client_id":"c1","text":"hi"})";

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
  auto ws = connect("pinger");
  ws->write(client_frame(fin_ping, "are you there"));
  const auto pong = ws->find(0xA);
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->payload, "are you there");
}

TEST_F(websocket_test, a_fragmented_message_with_a_ping_in_between_is_reassembled) {
  auto ws = connect("fragments");
  const auto half = send_hi.size() / 2;
  ws->write(client_frame(0x01, send_hi.substr(0, half)) + client_frame(fin_ping, "mid") +
           client_frame(0x80, send_hi.substr(half)));
  EXPECT_TRUE(ws->find(0xA, "mid"));
  EXPECT_TRUE(ws->find(1, R"("type":"ack")"));
}

TEST_F(websocket_test, a_message_split_across_many_small_writes_is_read_whole) {
  auto ws = connect("dribbler");
  for (const char byte : client_frame(fin_text, send_hi)) ws->write(std::string(1, byte));
  EXPECT_TRUE(ws->find(1, R"("type":"ack")"));
}

TEST_F(websocket_test, an_unmasked_client_frame_is_closed_with_1002) {
  auto ws = connect("unmasked");
  ws->write(client_frame(fin_text, send_hi, /*masked=*/false));
  const auto close = ws->find(8);
  ASSERT_TRUE(close);
  EXPECT_EQ(close->close_code(), 1002);
  EXPECT_TRUE(ws->ends());
}

TEST_F(websocket_test, invalid_utf8_text_is_closed_with_1007) {
  auto ws = connect("garbled");
  ws->write(client_frame(fin_text, "\xC0\x80"));
  const auto close = ws->find(8);
  ASSERT_TRUE(close);
  EXPECT_EQ(close->close_code(), 1007);
}

TEST_F(websocket_test, a_client_close_is_echoed_and_then_the_connection_ends) {
  auto ws = connect("leaver");
  ws->write(client_frame(fin_close, std::string("\x03\xE8" "bye", 5)));
  const auto close = ws->find(8);
  ASSERT_TRUE(close);
  EXPECT_EQ(close->close_code(), 1000);
  EXPECT_TRUE(ws->ends());
}

TEST_F(websocket_test, a_binary_frame_is_closed_with_1003_and_others_are_unaffected) {
  auto ws = connect("binary");
  auto alice = join("alice");
  ws->write(client_frame(fin_binary, "\x01\x02"));
  const auto close = ws->find(8);
  ASSERT_TRUE(close);
  EXPECT_EQ(close->close_code(), 1003);
  send_message(*alice, "a1", "still here");
}

}  // namespace
}  // namespace chatterbox::test_support
