#pragma once

// A WebSocket client on a blocking socket, byte by byte: for tests of what browsers and libraries
// never send on purpose (bad frames, floods of pings, frames right behind the upgrade) and of a
// client that stops reading.

#include <boost/asio.hpp>
#include <sys/socket.h>
#include <sys/time.h>

#include <cstdint>
#include <optional>
#include <string>

namespace chatterbox::test_support {

inline std::string upgrade_request(const std::string& token, const std::string& version = "13",
                            const std::string& key = "dGhlIHNhbXBsZSBub25jZQ==") {
  return "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: " + version + "\r\n"
         "Authorization: Bearer " + token + "\r\n\r\n";
}

// A client frame; masked unless a test wants to break that rule.
inline std::string client_frame(std::uint8_t first_byte, const std::string& payload, bool masked = true) {
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

inline constexpr std::uint8_t fin_text = 0x81;
inline constexpr std::uint8_t fin_binary = 0x82;
inline constexpr std::uint8_t fin_close = 0x88;
inline constexpr std::uint8_t fin_ping = 0x89;

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
  boost::asio::ip::tcp::socket& socket() { return socket_; }

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
    if (eof_) return false;
    char chunk[4096];
    boost::system::error_code ec;
    const auto n = socket_.read_some(boost::asio::buffer(chunk), ec);
    if (ec == boost::asio::error::eof) eof_ = true;
    if (ec) return false;
    buffer_.append(chunk, n);
    return true;
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  std::string buffer_;
  bool eof_ = false;
};

}  // namespace chatterbox::test_support
