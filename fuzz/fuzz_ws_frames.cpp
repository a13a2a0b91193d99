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

// Feeds `bytes` in pieces of `piece` bytes (0: all at once).
outcome read_all(std::string bytes, std::size_t piece) {
  ws::message_reader reader(max_message);
  outcome out;
  const std::size_t step = piece == 0 ? bytes.size() : piece;
  for (std::size_t at = 0; at < bytes.size() && out.error == 0; at += step) {
    const auto size = std::min(step, bytes.size() - at);
    out.error = reader.feed(bytes.data() + at, size, [&](const ws::event& event) {
                       check(event);
                       out.events.push_back(std::to_string(static_cast<int>(event.op)) + ":" +
                                            std::to_string(event.close_code) + ":" +
                                            std::string(event.payload));
                       return true;
                     }).code;
    require(reader.held_bytes() <= max_message + 14 + 125);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t piece = 1 + data[0] % 7;
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto whole = read_all(bytes, 0);
  require(whole == read_all(bytes, piece));
  return 0;
}
