// libFuzzer harness: the JSON writer behind every frame the server sends, on arbitrary bytes
// (message texts and names come from the database, which an operator may have edited by hand).
// Replies are budgeted in bytes before they are built, so the sizes computed ahead must be
// exactly what is then written; and whatever is written must be JSON a browser accepts.
#include "chatterbox/protocol/json_out.hpp"

#include "chatterbox/chat/message.hpp"
#include "chatterbox/protocol/server_frames.hpp"
#include "chatterbox/protocol/text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace {

using namespace chatterbox;
using json = nlohmann::json;

void require(bool condition) {
  if (!condition) std::abort();  // libFuzzer records the input as a crash
}

void check_string(std::string_view text) {
  std::string out = "[";  // appended to, as frames are built
  json_out::append_string(out, text);
  require(json_out::string_size(text) == out.size() - 1);
  out += ']';
  // Valid UTF-8 and valid JSON (nlohmann throws on either problem), holding the text itself
  // when it was valid UTF-8.
  require(is_valid_utf8(out));
  const auto parsed = json::parse(out, nullptr, /*allow_exceptions=*/false);
  require(parsed.is_array() && parsed.size() == 1 && parsed[0].is_string());
  if (is_valid_utf8(text)) require(parsed[0].get<std::string>() == text);
}

void check_int(std::int64_t value) {
  std::string out = "x";
  json_out::append_int(out, value);
  require(json_out::int_size(value) == out.size() - 1);
  require(json::parse(out.substr(1)).get<std::int64_t>() == value);
}

// A message whose fields all come from the input: its size ahead of time is its size in a page.
void check_message(std::string_view user, std::string_view text, std::int64_t number) {
  message m;
  m.id = number;
  m.seq = ~number;
  m.ts = number / 3;
  m.user = std::string(user);
  m.text = std::string(text);
  m.edited = number & 1;
  m.deleted = number & 2;
  m.room = number ^ 0x55;
  if (number & 4) m.mentions = {std::string(user), std::string(text)};
  const auto empty = frames::history(1, std::nullopt, {}, false)->size();
  require(frames::message_size(m) == frames::history(1, std::nullopt, {m}, false)->size() - empty);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  check_string(bytes);

  std::int64_t number = 0;
  if (size > 0) std::memcpy(&number, data, std::min(size, sizeof number));
  check_int(number);

  // The first byte says where the user name ends and the text begins.
  if (size > 0) {
    const std::size_t cut = std::min<std::size_t>(data[0], size - 1);
    check_message(bytes.substr(1, cut), bytes.substr(1 + cut), number);
  }
  return 0;
}
