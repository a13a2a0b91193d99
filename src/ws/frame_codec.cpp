#include "chatterbox/ws/frame_codec.hpp"

#include "chatterbox/protocol/text.hpp"

#include <algorithm>
#include <cstring>

namespace chatterbox::ws {
namespace {

constexpr std::size_t max_control_payload = 125;
// An emptied buffer keeps up to this much capacity for the next partial frame; more is freed so
// that one large message does not stay charged to a connection that has gone quiet.
constexpr std::size_t retained_buffer_bytes = 4096;

constexpr std::uint8_t fin_bit = 0x80;
constexpr std::uint8_t rsv_bits = 0x70;
constexpr std::uint8_t opcode_bits = 0x0F;
constexpr std::uint8_t mask_bit = 0x80;
constexpr std::uint8_t length_bits = 0x7F;
constexpr std::uint8_t length_16 = 126;  // 7-bit length values that announce an extended length
constexpr std::uint8_t length_64 = 127;

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

bool is_control(opcode op) { return static_cast<std::uint8_t>(op) >= 8; }

bool is_known_opcode(std::uint8_t op) { return op <= 2 || (op >= 8 && op <= 10); }

// RFC 6455 section 7.4 and the IANA registry (1012-1014 came later: restart, try again,
// bad gateway); 1004-1006 and 1015 are reserved for local use and never appear on the wire.
bool is_valid_close_code(std::uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

std::uint64_t load_be(const std::uint8_t* p, std::size_t bytes) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < bytes; ++i) value = (value << 8) | p[i];
  return value;
}

void store_be(std::uint8_t* out, std::uint64_t value, std::size_t bytes) {
  for (std::size_t i = 0; i < bytes; ++i) {
    out[i] = static_cast<std::uint8_t>(value >> (8 * (bytes - 1 - i)));
  }
}

// XORs the mask key over payload bytes starting at payload offset `offset`, eight bytes at a
// time. The key is rotated by the offset so a payload split across reads lines up.
void unmask(char* data, std::size_t size, const std::array<std::uint8_t, 4>& key,
            std::uint64_t offset) {
  std::uint8_t key8[8];
  for (std::size_t i = 0; i < 8; ++i) key8[i] = key[(offset + i) % 4];
  std::uint64_t key64;
  std::memcpy(&key64, key8, 8);  // byte order does not matter: data is loaded the same way
  std::size_t at = 0;
  for (; at + 8 <= size; at += 8) {
    std::uint64_t word;
    std::memcpy(&word, data + at, 8);
    word ^= key64;
    std::memcpy(data + at, &word, 8);
  }
  for (std::size_t i = 0; at < size; ++at, ++i) data[at] = static_cast<char>(data[at] ^ key8[i]);
}

// Frees the buffer's memory when it grew past what is worth keeping for the next frame.
void clear_buffer(std::string& buffer) {
  buffer.clear();
  if (buffer.capacity() > retained_buffer_bytes) std::string{}.swap(buffer);
}

}  // namespace

// ---- Encoding ----

std::size_t encode_header(std::uint8_t* out, opcode op, std::uint64_t payload_bytes) {
  out[0] = static_cast<std::uint8_t>(fin_bit | static_cast<std::uint8_t>(op));
  if (payload_bytes < length_16) {
    out[1] = static_cast<std::uint8_t>(payload_bytes);
    return 2;
  }
  if (payload_bytes <= 0xFFFF) {
    out[1] = length_16;
    store_be(out + 2, payload_bytes, 2);
    return 4;
  }
  out[1] = length_64;
  store_be(out + 2, payload_bytes, 8);
  return 10;
}

std::string control_frame(opcode op, std::string_view payload) {
  payload = payload.substr(0, max_control_payload);
  std::uint8_t header[max_header_bytes];
  const std::size_t header_size = encode_header(header, op, payload.size());
  std::string frame(reinterpret_cast<const char*>(header), header_size);
  frame.append(payload);
  return frame;
}

std::string close_frame(std::uint16_t code, std::string_view reason) {
  if (code == 0) return control_frame(opcode::close, {});
  constexpr std::size_t max_reason = max_control_payload - 2;
  if (reason.size() > max_reason) {
    std::size_t cut = max_reason;
    // reason[cut] is the first byte left out; if it continues a sequence, drop that whole
    // sequence so the reason stays valid UTF-8.
    while (cut > 0 && is_continuation(static_cast<unsigned char>(reason[cut]))) --cut;
    reason = reason.substr(0, cut);
  }
  std::string payload(2, '\0');
  store_be(reinterpret_cast<std::uint8_t*>(payload.data()), code, 2);
  payload.append(reason);
  return control_frame(opcode::close, payload);
}

// ---- Decoding ----

bool message_reader::next_event(char*& pos, char* end, event& out) {
  while (state_ == state::header || state_ == state::payload) {
    if (state_ == state::header && !read_header(pos, end)) return false;
    std::optional<std::string_view> direct;
    if (!read_payload(pos, end, direct)) return false;
    if (finish_frame(direct, out)) return true;
  }
  return false;
}

// Collects the header (it is tiny, so it is always copied, which makes a header cut by a read no
// different from a whole one). Checks what the first two bytes decide before waiting for more.
bool message_reader::read_header(char*& pos, char* end) {
  if (!take_header_bytes(pos, end, 2) || !check_first_bytes()) return false;
  const std::uint8_t length7 = header_[1] & length_bits;
  const std::size_t extended = length7 == length_16 ? 2 : length7 == length_64 ? 8 : 0;
  if (!take_header_bytes(pos, end, 2 + extended + mask_.size())) return false;
  return start_frame();
}

bool message_reader::take_header_bytes(char*& pos, char* end, std::size_t wanted) {
  if (header_len_ >= wanted) return true;
  const auto n = std::min<std::size_t>(wanted - header_len_, end - pos);
  if (n == 0) return false;  // memcpy must not see the null pointer of an empty read
  std::memcpy(header_.data() + header_len_, pos, n);
  header_len_ = static_cast<std::uint8_t>(header_len_ + n);
  pos += n;
  return header_len_ == wanted;
}

bool message_reader::check_first_bytes() {
  const std::uint8_t op = header_[0] & opcode_bits;
  const bool fin = header_[0] & fin_bit;
  // No extension was negotiated, so no reserved bit may be set.
  if (header_[0] & rsv_bits) return fail(1002, "reserved bits set");
  if (!is_known_opcode(op)) return fail(1002, "reserved opcode");
  // Masking stops a page's script from steering what proxies see; unmasked is a broken client.
  if (!(header_[1] & mask_bit)) return fail(1002, "client frame not masked");
  if (is_control(opcode{op})) {
    if (!fin) return fail(1002, "fragmented control frame");
    const std::size_t length7 = header_[1] & length_bits;
    if (length7 > max_control_payload) return fail(1002, "control frame too long");
  } else if (opcode{op} == opcode::continuation) {
    if (!message_in_progress_) return fail(1002, "continuation without a message");
  } else if (message_in_progress_) {
    return fail(1002, "new message inside a fragmented message");
  }
  return true;
}

bool message_reader::start_frame() {
  const std::uint8_t length7 = header_[1] & length_bits;
  std::size_t at = 2;
  std::uint64_t length = length7;
  if (length7 == length_16) {
    length = load_be(header_.data() + at, 2);
    at += 2;
  } else if (length7 == length_64) {
    length = load_be(header_.data() + at, 8);
    at += 8;
    if (length >> 63) return fail(1002, "64-bit length with the high bit set");
  }
  std::memcpy(mask_.data(), header_.data() + at, mask_.size());
  frame_fin_ = header_[0] & fin_bit;
  frame_op_ = opcode{static_cast<std::uint8_t>(header_[0] & opcode_bits)};
  header_len_ = 0;
  if (!is_control(frame_op_)) {
    // Refuse from the header, before the client makes us buffer any of it.
    if (length > max_message_bytes_ - message_buf_.size()) return fail(1009, "message too big");
    if (frame_op_ != opcode::continuation) message_op_ = frame_op_;
  }
  remaining_ = length;
  payload_pos_ = 0;
  state_ = state::payload;
  return true;
}

// True when the frame's payload is complete: `direct` is then a view of it in the read buffer,
// or empty when it was buffered. No memory is reserved from the announced length: a client
// would otherwise make us allocate max_message_bytes by sending just a header.
bool message_reader::read_payload(char*& pos, char* end, std::optional<std::string_view>& direct) {
  const auto available = static_cast<std::size_t>(end - pos);
  if (payload_pos_ == 0 && remaining_ <= available) {
    const auto size = static_cast<std::size_t>(remaining_);
    unmask(pos, size, mask_, 0);
    direct = std::string_view(pos, size);
    pos += size;
    state_ = state::header;
    return true;
  }
  const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, available));
  unmask(pos, n, mask_, payload_pos_);
  (is_control(frame_op_) ? control_buf_ : message_buf_).append(pos, n);
  pos += n;
  payload_pos_ += n;
  remaining_ -= n;
  if (remaining_ != 0) return false;
  state_ = state::header;
  return true;
}

bool message_reader::finish_frame(std::optional<std::string_view> direct, event& out) {
  if (is_control(frame_op_)) {
    return control_event(direct ? *direct : std::string_view(control_buf_), out);
  }
  return data_event(direct, out);
}

// True when a message is complete. A single-frame message that arrived whole is handed out in
// place; fragments are gathered in message_buf_ (where a cut frame already is).
bool message_reader::data_event(std::optional<std::string_view> direct, event& out) {
  const bool whole_message = frame_fin_ && !message_in_progress_;
  std::string_view payload;
  if (direct && whole_message) {
    payload = *direct;
  } else {
    if (direct) message_buf_.append(*direct);
    message_in_progress_ = !frame_fin_;
    if (message_in_progress_) return false;
    payload = message_buf_;
  }
  // Validated once the message is complete: a fragment may end inside a code point.
  if (message_op_ == opcode::text && !is_valid_utf8(payload)) {
    return fail(1007, "text message is not valid UTF-8");
  }
  out = event{message_op_, payload, 0, {}};
  return true;
}

bool message_reader::control_event(std::string_view payload, event& out) {
  out = event{frame_op_, payload, 0, {}};
  if (frame_op_ != opcode::close || payload.empty()) return true;
  if (payload.size() == 1) return fail(1002, "close payload of 1 byte");
  const auto code =
      static_cast<std::uint16_t>(load_be(reinterpret_cast<const std::uint8_t*>(payload.data()), 2));
  if (!is_valid_close_code(code)) return fail(1002, "invalid close code");
  const std::string_view reason = payload.substr(2);
  if (!is_valid_utf8(reason)) return fail(1002, "close reason is not UTF-8");
  out.close_code = code;
  out.close_reason = reason;
  return true;
}

// The event has been handled, so the buffer it may have viewed can be reused.
void message_reader::after_event() {
  clear_buffer(control_buf_);
  if (!message_in_progress_) clear_buffer(message_buf_);
}

bool message_reader::fail(std::uint16_t code, std::string_view reason) {
  error_ = read_error{code, reason};
  stop(state::failed);
  return false;
}

// Terminal: the connection is closing, so whatever is held is dropped and its memory freed.
void message_reader::stop(state final_state) {
  state_ = final_state;
  header_len_ = 0;
  message_in_progress_ = false;
  std::string{}.swap(message_buf_);
  std::string{}.swap(control_buf_);
}

}  // namespace chatterbox::ws
