// libFuzzer harness: the WebSocket frame reader (untrusted bytes straight off the socket).
// Besides crashes and sanitizer findings it checks that the reader's promises hold, and that
// how the bytes are cut into reads never changes what comes out (TCP may cut them anywhere).
#include "chatterbox/ws/frame_codec.hpp"

#include "chatterbox/protocol/text.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using namespace chatterbox;

constexpr std::size_t max_message = 4096;

void require(bool condition) {
  if (!condition) std::abort();  // libFuzzer records the input as a crash
}

struct outcome {
  std::vector<std::string> events;
  std::uint16_t error = 0;
  bool operator==(const outcome&) const = default;
};

void check(const ws::event& event) {
  switch (event.op) {
    case ws::opcode::text:
      require(is_valid_utf8(event.payload));
      [[fallthrough]];
    case ws::opcode::binary:
      require(event.payload.size() <= max_message);
      break;
    case ws::opcode::ping:
    case ws::opcode::pong:
    case ws::opcode::close:
      require(event.payload.size() <= 125);
      break;
    default:
      require(false);  // continuation frames are never handed out on their own
  }
}

std::string describe(const ws::event& event) {
  return std::to_string(static_cast<int>(event.op)) + ":" + std::to_string(event.close_code) + ":" +
         std::string(event.payload);
}

// Feeds `bytes` in pieces of `piece` bytes (0: all at once).
outcome read_all(std::string bytes, std::size_t piece) {
  ws::message_reader reader(max_message);
  outcome out;
  const std::size_t step = piece == 0 ? bytes.size() : piece;
  for (std::size_t at = 0; at < bytes.size() && out.error == 0; at += step) {
    const auto size = std::min(step, bytes.size() - at);
    out.error = reader.feed(bytes.data() + at, size, [&](const ws::event& event) {
                       check(event);
                       out.events.push_back(describe(event));
                       return true;
                     }).code;
    require(reader.held_bytes() <= max_message + 14 + 125);
  }
  return out;
}

// As websocket_session reads: each piece goes through feed_some, at most `max_events` events a
// turn, and what a turn did not take is fed again (from a copy, its backlog) before the next
// piece. feed_some's own promises are checked on every call.
outcome read_in_turns(const std::string& bytes, std::size_t piece, std::size_t max_events) {
  ws::message_reader reader(max_message);
  outcome out;
  const std::size_t step = piece == 0 ? bytes.size() : piece;
  for (std::size_t at = 0; at < bytes.size() && out.error == 0; at += step) {
    std::string backlog = bytes.substr(at, std::min(step, bytes.size() - at));
    while (!backlog.empty() && out.error == 0) {
      std::string read = backlog;
      std::size_t consumed = read.size() + 1;
      std::size_t events = 0;
      const auto on_event = [&](const ws::event& event) {
        check(event);
        ++events;
        out.events.push_back(describe(event));
        return true;
      };
      out.error = reader.feed_some(read.data(), read.size(), max_events, on_event, consumed).code;
      require(events <= max_events);
      require(consumed <= read.size());
      // An error ends the stream: nothing is left for a backlog.
      if (out.error != 0) require(consumed == read.size());
      if (consumed < read.size()) {
        // Bytes are left only when the turn's share of events is used up, and they have not
        // been looked at (nor unmasked in place).
        require(events == max_events);
        require(read.compare(consumed, std::string::npos, backlog, consumed) == 0);
      }
      // Progress: a turn takes bytes or hands out events (max_events is never 0 here).
      require(consumed > 0 || events > 0);
      backlog.erase(0, consumed);
      require(reader.held_bytes() <= max_message + 14 + 125);
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  // The first byte chooses how reads are cut (low bits) and how many events a turn may take
  // (high bits); the rest is the stream.
  const std::size_t piece = 1 + data[0] % 7;
  const std::size_t max_events = 1 + (data[0] >> 5);
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto whole = read_all(bytes, 0);
  require(whole == read_all(bytes, piece));
  require(whole == read_in_turns(bytes, 0, max_events));
  require(whole == read_in_turns(bytes, piece, max_events));
  return 0;
}
