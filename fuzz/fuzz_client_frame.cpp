// libFuzzer harness: the WebSocket client-frame dispatcher (JSON text -> validated command),
// and the fast frame reader under it checked against nlohmann::json.
// Besides crashes and sanitizer findings, it checks that whatever the parser accepts really is
// within the limits docs/protocol.md promises, since the chat service trusts those limits.
#include "chatterbox/protocol/client_command.hpp"
#include "chatterbox/protocol/flat_json.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

namespace {

using namespace chatterbox;

void require(bool condition) {
  if (!condition) std::abort();  // libFuzzer records the input as a crash
}

// UTF-8 code points, counting every byte that is not a continuation byte.
std::size_t code_points(std::string_view text) {
  std::size_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;
  return count;
}

bool has_surrounding_space(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  return !text.empty() && (space(text.front()) || space(text.back()));
}

void check_text(std::string_view text) {
  require(!text.empty());
  require(code_points(text) <= max_text_chars);
  require(!has_surrounding_space(text));
}

struct command_checker {
  void operator()(const send_command& c) const {
    require(!c.client_id.empty() && code_points(c.client_id) <= max_client_id_chars);
    check_text(c.text);
  }
  void operator()(const edit_command& c) const { check_text(c.text); }
  void operator()(const delete_command&) const {}
  void operator()(const typing_command&) const {}
  void operator()(const seen_command&) const {}
  void operator()(const history_command& c) const {
    require(c.limit >= 1 && c.limit <= max_history_limit);
  }
  void operator()(const sync_command&) const {}
};

// The fast frame reader must read exactly what nlohmann::json reads (it falls back to it for
// anything unusual, so a difference means the fast path accepted something it should not).
void check_flat_reader(std::string_view frame) {
  const auto flat = parse_flat_object(frame);
  const auto reference = nlohmann::json::parse(frame, nullptr, false);
  const bool is_object = !reference.is_discarded() && reference.is_object();
  require(flat.has_value() == is_object);
  if (!is_object) return;
  for (const auto& [key, value] : reference.items()) {
    const auto* field = flat->find(key);
    require(field != nullptr);
    if (value.is_string()) {
      require(field->type == flat_value::kind::string && field->string == value.get<std::string>());
    } else if (value.is_boolean()) {
      require(field->type == flat_value::kind::boolean && field->boolean == value.get<bool>());
    } else if (value.is_null()) {
      require(field->type == flat_value::kind::null);
    } else if (value.is_number_integer() && !value.is_number_unsigned()) {
      require(field->type == flat_value::kind::integer &&
              field->integer == value.get<std::int64_t>());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  check_flat_reader(frame);
  auto result = parse_client_frame(frame);
  if (auto* command = std::get_if<client_command>(&result)) {
    std::visit(command_checker{}, *command);
  } else {
    const auto& error = std::get<protocol_error>(result);
    require(!error.code.empty());
    // The error is sent back as JSON; it must serialise without throwing on any input.
    (void)error.ref.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return 0;
}
