#pragma once

// What the plain and the TLS test clients share (test_client.cpp, tls_client.cpp): bounded
// waits on a private io_context, the headers of a response, and one WebSocket connection's
// events — whatever stream carries them.

#include "support/test_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <cctype>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace chatterbox::test_support {

// Runs one async operation on `io` for at most `bound`; a timeout cancels it via `cancel`.
// Returns the operation's error, or beast::error::timeout.
template <class Start, class Cancel>
boost::beast::error_code run_bounded(boost::asio::io_context& io,
                                     std::chrono::steady_clock::duration bound, Start start,
                                     Cancel cancel) {
  std::optional<boost::beast::error_code> result;
  io.restart();
  start([&](boost::beast::error_code ec, auto&&...) { result = ec; });
  io.run_for(bound);
  if (!result) {
    cancel();
    io.restart();
    io.run_for(std::chrono::seconds(2));
    return boost::beast::error::timeout;
  }
  return *result;
}

// Header names in lower case; a repeated header (Set-Cookie) keeps every value, one per line.
template <class Response>
std::map<std::string, std::string> lowercase_headers(const Response& response) {
  std::map<std::string, std::string> headers;
  for (const auto& field : response) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto& value = headers[name];
    if (!value.empty()) value.append("\n");
    value.append(field.value());
  }
  return headers;
}

// One WebSocket connection (`Stream`: a websocket::stream over TCP or TLS) and the events it
// brought in: a frame that is an array counts as its events, one at a time.
template <class Stream>
struct ws_connection {
  template <class... Args>
  explicit ws_connection(Args&&... stream_args) : ws(io, std::forward<Args>(stream_args)...) {}

  void cancel() { boost::beast::get_lowest_layer(ws).cancel(); }

  // Reads one frame within `bound`; false when none came or the connection ended (which a
  // cancelled read does too: the stream is unusable after it).
  bool read_frame(std::chrono::steady_clock::duration bound) {
    if (closed) return false;
    boost::beast::flat_buffer buffer;
    auto ec = run_bounded(
        io, bound, [&](auto handler) { ws.async_read(buffer, handler); }, [&] { cancel(); });
    if (ec) {
      last_error = ec;
      closed = true;
      if (ec != boost::beast::error::timeout) close_code = ws.reason().code;
      return false;
    }
    auto parsed = json::parse(boost::beast::buffers_to_string(buffer.data()));
    if (parsed.is_array()) {
      for (auto& event : parsed) pending.push_back(std::move(event));
    } else {
      pending.push_back(std::move(parsed));
    }
    return true;
  }

  void write(const std::string& text) {
    auto ec = run_bounded(
        io, wait_bound, [&](auto handler) { ws.async_write(boost::asio::buffer(text), handler); },
        [&] { cancel(); });
    if (ec) throw std::runtime_error("send failed: " + ec.message());
  }

  std::optional<json> next(std::chrono::steady_clock::duration bound) {
    if (pending.empty() && !read_frame(bound)) return std::nullopt;
    auto event = std::move(pending.front());
    pending.pop_front();
    return event;
  }

  // The next event `matches` accepts, the others passed over into `skipped` (if given); throws
  // when none arrives within `bound`.
  json expect_match(const std::function<bool(const json&)>& matches, const std::string& what,
                    std::chrono::steady_clock::duration bound, std::vector<json>* skipped) {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    for (;;) {
      const auto left = deadline - std::chrono::steady_clock::now();
      auto event = next(std::max<std::chrono::steady_clock::duration>(left, {}));
      if (!event) {
        throw std::runtime_error("no " + what + " event arrived (" + last_error.message() + ")");
      }
      if (matches(*event)) return *event;
      if (skipped != nullptr) skipped->push_back(std::move(*event));
    }
  }

  // Reads (and drops) events until the server closes; the close code, or nullopt when it did
  // not within `bound`.
  std::optional<std::uint16_t> wait_closed(std::chrono::steady_clock::duration bound) {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    while (!closed) {
      const auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) return std::nullopt;
      pending.clear();
      if (!read_frame(left) && !closed) return std::nullopt;
    }
    return close_code;
  }

  boost::asio::io_context io;  // before `ws`, which is made on it
  Stream ws;
  std::deque<json> pending;
  boost::beast::error_code last_error;
  bool closed = false;
  std::optional<std::uint16_t> close_code;
};

}  // namespace chatterbox::test_support
