#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <memory>
#include <string>

namespace chatterbox {

// One TLS connection: the stream and the context it was made from. The HTTP session creates
// it (its deadlines come from the tcp_stream underneath) and hands it whole to the WebSocket
// session on an upgrade. Holding the context here is what lets a certificate reload replace
// the server's context while older connections keep the one they started with.
struct tls_connection {
  tls_connection(std::shared_ptr<boost::asio::ssl::context> ctx,
                 boost::asio::ip::tcp::socket&& socket)
      : context(std::move(ctx)), stream(boost::beast::tcp_stream(std::move(socket)), *context) {}

  std::shared_ptr<boost::asio::ssl::context> context;  // declared first: outlives the stream
  boost::asio::ssl::stream<boost::beast::tcp_stream> stream;
  // For the WebSocket (ws/session_stream): a frame header and its payload copied together so
  // they leave as one record and one system call (freed when the write completes), and whether
  // the TLS layer may hold input already taken off the socket.
  std::string coalesced;
  bool input_buffered = true;  // the upgrade request may have brought frames with it
};

}  // namespace chatterbox
