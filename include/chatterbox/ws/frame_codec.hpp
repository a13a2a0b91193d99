#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace chatterbox::ws {

// RFC 6455 framing for the server side, without extensions (no permessage-deflate): server
// frames are encoded unmasked and unfragmented, client frames are decoded by message_reader.

enum class opcode : std::uint8_t {
  continuation = 0,
  text = 1,
  binary = 2,
  close = 8,
  ping = 9,
  pong = 10
};

// ---- Encoding (server to client) ----

// A server header is at most 2 bytes plus an 8-byte extended length (servers never mask).
constexpr std::size_t max_header_bytes = 10;

// Writes a FIN frame header for `payload_bytes` into `out` (room for max_header_bytes) and
// returns its length: 2, 4 or 10. The caller writes the payload after it, which lets a
// broadcast put one header in front of a shared payload buffer without copying it.
std::size_t encode_header(std::uint8_t* out, opcode op, std::uint64_t payload_bytes);

// A whole control frame. Control payloads are limited to 125 bytes; longer ones are truncated.
std::string control_frame(opcode op, std::string_view payload);

// A close frame. Code 0 sends an empty payload (no status code, as when echoing a close that
// had none). The reason is cut to fit the 125-byte limit, never in the middle of a UTF-8
// sequence, because the peer must fail a close whose reason is not valid UTF-8.
std::string close_frame(std::uint16_t code, std::string_view reason);


// ---- Decoding (client to server) ----

// One thing the peer sent: a complete text/binary message, or a ping, pong or close frame.
// The views are valid only during the on_event call.
struct event {
  opcode op = opcode::text;
  std::string_view payload;       // for close: the raw payload (code and reason)
  std::uint16_t close_code = 0;   // close only; 0 when the close frame had no payload
  std::string_view close_reason;  // close only; valid UTF-8
};

// Why the stream is unusable; code is the close code to send (0: no error). The reason points
// to static storage.
struct read_error {
  std::uint16_t code = 0;
  std::string_view reason;
};

// Turns the bytes a client sends into events, without copying a frame that arrives whole in
// one read (it is unmasked in place and handed out as a view into the read buffer). Only a
// frame cut by the end of a read, or a message split into fragments, is buffered, and the
// buffers are freed once they are no longer needed, so an idle connection costs only this
// object. Single-threaded, like the connection that owns it.
class message_reader {
 public:
  explicit message_reader(std::size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

  // Consumes `data` (unmasking it in place) and calls `on_event(const event&) -> bool` for each
  // complete event; returning false stops the reader for good (the caller is closing) and the
  // rest of the bytes are dropped. Returns the close code to send when the client broke the
  // protocol; the reader then stays failed and later calls return the same error.
  template <class OnEvent>
  read_error feed(char* data, std::size_t size, OnEvent&& on_event);
  // Like feed(), but returns after `max_events` events: `consumed` says how many bytes were
  // taken (into events or into the reader's own buffers). The rest has not been looked at and
  // must be fed again, in order — this is how a connection yields the loop to others.
  template <class OnEvent>
  read_error feed_some(char* data, std::size_t size, std::size_t max_events, OnEvent&& on_event,
                       std::size_t& consumed);

  // True at a frame boundary with no partial frame or message held.
  bool idle() const {
    return state_ != state::payload && header_len_ == 0 && !message_in_progress_;
  }
  // Bytes of partial frames and messages currently held.
  std::size_t held_bytes() const { return header_len_ + message_buf_.size() + control_buf_.size(); }
  // Memory reserved by the buffers (including std::string's inline capacity), for tests and
  // metrics: it must fall back to a small amount after a large message.
  std::size_t buffer_capacity() const { return message_buf_.capacity() + control_buf_.capacity(); }
  bool failed() const { return state_ == state::failed; }

 private:
  enum class state : std::uint8_t { header, payload, stopped, failed };

  // The non-template work behind feed(): parse until one event is ready (true, `out` set), the
  // bytes run out, or the stream fails (false either way; state_ says which).
  bool next_event(char*& pos, char* end, event& out);
  bool read_header(char*& pos, char* end);
  bool take_header_bytes(char*& pos, char* end, std::size_t wanted);
  bool check_first_bytes();
  bool start_frame();
  bool read_payload(char*& pos, char* end, std::optional<std::string_view>& direct);
  bool finish_frame(std::optional<std::string_view> direct, event& out);
  bool data_event(std::optional<std::string_view> direct, event& out);
  bool control_event(std::string_view payload, event& out);
  void after_event();
  bool fail(std::uint16_t code, std::string_view reason);
  void stop(state final_state);

  std::size_t max_message_bytes_;
  read_error error_;
  std::string message_buf_;        // a fragmented message, or a data frame cut by a read
  std::string control_buf_;        // a control frame cut by a read (may arrive between fragments)
  std::uint64_t remaining_ = 0;    // payload bytes of the current frame still to come
  std::uint64_t payload_pos_ = 0;  // payload bytes of the current frame already consumed
  std::array<std::uint8_t, 4> mask_{};
  // A client header is at most 14 bytes: 2, an 8-byte length and the 4-byte mask key.
  std::array<std::uint8_t, 14> header_{};
  std::uint8_t header_len_ = 0;
  state state_ = state::header;
  opcode frame_op_ = opcode::text;
  opcode message_op_ = opcode::text;
  bool frame_fin_ = false;
  bool message_in_progress_ = false;  // a fragment without FIN was received
};

template <class OnEvent>
read_error message_reader::feed(char* data, std::size_t size, OnEvent&& on_event) {
  std::size_t consumed = 0;
  return feed_some(data, size, static_cast<std::size_t>(-1), std::forward<OnEvent>(on_event),
                   consumed);
}

template <class OnEvent>
read_error message_reader::feed_some(char* data, std::size_t size, std::size_t max_events,
                                     OnEvent&& on_event, std::size_t& consumed) {
  char* pos = data;
  char* const end = data + size;
  event ev;
  std::size_t events = 0;
  while (events < max_events && next_event(pos, end, ev)) {
    ++events;
    const bool keep_reading = on_event(std::as_const(ev));
    after_event();
    if (!keep_reading) {
      stop(state::stopped);
      pos = end;  // the rest is dropped, as promised
      break;
    }
  }
  consumed = static_cast<std::size_t>(pos - data);
  if (state_ == state::failed) consumed = size;
  return error_;
}

}  // namespace chatterbox::ws
