// libFuzzer harness: the WebSocket client-frame dispatcher (JSON text -> validated command),
// and the two frame readers under it checked against each other and against nlohmann::json.
// Besides crashes and sanitizer findings, it checks that whatever the parser accepts really is
// within the limits docs/protocol.md promises, since the chat service trusts those limits.
#include "chatterbox/protocol/client_command.hpp"
#include "chatterbox/protocol/flat_json.hpp"
#include "chatterbox/protocol/flat_json_fast_reader.hpp"
#include "chatterbox/protocol/flat_json_sax_reader.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace {

using namespace chatterbox;
using json = nlohmann::json;

void require(bool condition) {
  if (!condition) std::abort();  // libFuzzer records the input as a crash
}

// --- an independent reading of text rules (deliberately not the functions under test) ---

// UTF-8 code points, counting every byte that is not a continuation byte.
std::size_t code_points(std::string_view text) {
  std::size_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;
  return count;
}

// Decodes valid UTF-8 and reports whether any code point is in Unicode category Cc, bar those
// `allowed`.
bool has_control(std::string_view text, std::string_view allowed) {
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::uint32_t code_point = lead;
    std::size_t length = 1;
    if (lead >= 0xF0) {
      length = 4;
    } else if (lead >= 0xE0) {
      length = 3;
    } else if (lead >= 0xC0 && i + 1 < text.size()) {
      length = 2;
      code_point = ((lead & 0x1Fu) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3Fu);
    }
    const bool control = code_point < 0x20 || (code_point >= 0x7F && code_point <= 0x9F);
    if (length == 1 && control && allowed.find(static_cast<char>(code_point)) == allowed.npos) {
      return true;
    }
    if (length == 2 && control) return true;
    i += length;
  }
  return false;
}

// What docs/protocol.md says a valid text becomes: \r\n and \r as \n, then spaces, tabs and
// newlines trimmed.
std::string expected_text(std::string_view raw) {
  std::string text;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\r') {
      text += '\n';
      if (i + 1 < raw.size() && raw[i + 1] == '\n') ++i;
    } else {
      text += raw[i];
    }
  }
  const auto first = text.find_first_not_of(" \t\n");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\n") - first + 1);
}

void check_text(std::string_view text) {
  require(!text.empty());
  require(code_points(text) <= max_text_chars);
  require(text.find('\r') == text.npos);
  require(!has_control(text, "\n\t"));
  require(expected_text(text) == text);  // trimmed and normalised already
}

// The text field as nlohmann reads it, which the accepted text must be the expected form of.
void check_text_against(const json& document, std::string_view text) {
  require(expected_text(document.at("text").get<std::string>()) == text);
}

struct command_checker {
  const json& document;  // the frame as nlohmann::json reads it

  void operator()(const send_command& c) const {
    require(!c.client_id.empty() && code_points(c.client_id) <= max_client_id_chars);
    require(!has_control(c.client_id, ""));
    require(document.at("client_id") == c.client_id);
    check_text(c.text);
    check_text_against(document, c.text);
  }
  void operator()(const edit_command& c) const {
    check_text(c.text);
    check_text_against(document, c.text);
  }
  void operator()(const delete_command&) const {}
  void operator()(const typing_command&) const {}
  void operator()(const seen_command&) const {}
  void operator()(const history_command& c) const {
    require(c.limit >= 1 && c.limit <= max_history_limit);
  }
  void operator()(const sync_command&) const {}
  void operator()(const create_room_command& c) const {
    check_name(c.name);
    require(c.kind == "open" || c.kind == "private");
    require(c.users.size() <= max_command_users);
  }
  void operator()(const rename_room_command& c) const { check_name(c.name); }
  void operator()(const open_dm_command& c) const { require(c.users.size() <= max_dm_others); }
  void operator()(const watch_command& c) const { require(c.users.size() <= max_watched_users); }
  void operator()(const members_command& c) const {
    require(c.limit >= 1 && c.limit <= max_members_limit);
  }
  void operator()(const notify_command& c) const {
    require(c.level == "all" || c.level == "mentions" || c.level == "none");
  }
  // The rest carry ids and names the parser checked by type only.
  template <class Other>
  void operator()(const Other&) const {}

  // A room name as stored: trimmed, 1-64 code points, no control character at all.
  static void check_name(const std::string& name) {
    require(!name.empty() && code_points(name) <= max_room_name_chars);
    require(!has_control(name, ""));
    require(name.front() != ' ' && name.back() != ' ');
  }
};

// --- the readers ---

// nlohmann::json's DOM parser with the limits applied by watching its parse events: an oracle
// for both readers that shares no code with them. The first key over max_frame_fields or bracket
// beyond max_frame_depth decides, whatever follows it; the readers must stop there too.
struct reference_reading {
  flat_json_status status = flat_json_status::invalid_json;
  json document;
};

reference_reading read_reference(std::string_view frame) {
  using event = json::parse_event_t;
  bool first = true;
  bool object = false;
  std::size_t members = 0;
  std::optional<flat_json_status> over_limit;
  const json::parser_callback_t watch = [&](int depth, event what, json&) {
    if (first) object = what == event::object_start;
    first = false;
    if (!object || over_limit) return true;
    // depth counts the containers already open: the frame's own keys are at 1.
    if (what == event::key && depth == 1 && ++members > max_frame_fields) {
      over_limit = flat_json_status::too_many_fields;
    } else if ((what == event::object_start || what == event::array_start) &&
               static_cast<std::size_t>(depth) + 1 > max_frame_depth) {
      over_limit = flat_json_status::too_deep;
    }
    return true;
  };
  reference_reading out;
  auto document = json::parse(frame, watch, /*allow_exceptions=*/false);
  if (over_limit) {
    out.status = *over_limit;
  } else if (!document.is_discarded() && document.is_object()) {
    out.status = flat_json_status::ok;
    out.document = std::move(document);
  }
  return out;
}

// Every field nlohmann reads is in the flat object with the same value, and nothing else is.
void require_same_fields(const flat_object& flat, const json& document) {
  require(flat.size() == document.size());
  for (const auto& [key, value] : document.items()) {
    const auto* field = flat.find(key);
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
    } else if (value.is_array() && value.size() <= max_list_strings &&
               std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_string(); })) {
      require(field->type == flat_value::kind::string_list &&
              field->strings.size() == value.size());
      for (std::size_t i = 0; i < value.size(); ++i) {
        require(field->strings[i] == value[i].get<std::string>());
      }
    } else if (value.is_number_unsigned()) {
      const auto n = value.get<std::uint64_t>();
      require(n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
                  ? field->type == flat_value::kind::other
                  : field->type == flat_value::kind::integer &&
                        field->integer == static_cast<std::int64_t>(n));
    } else {
      require(field->type == flat_value::kind::other);
    }
  }
}

// The fast reader, when it answers, must answer exactly as the SAX reader: same status, same
// fields in the same order.
void require_same_reading(const flat_object& fast, const flat_object& sax) {
  require(fast.size() == sax.size());
  for (std::size_t i = 0; i < fast.size(); ++i) {
    const auto& [fast_key, fast_value] = fast.begin()[i];
    const auto& [sax_key, sax_value] = sax.begin()[i];
    require(fast_key == sax_key);
    require(fast_value.type == sax_value.type && fast_value.boolean == sax_value.boolean &&
            fast_value.integer == sax_value.integer && fast_value.string == sax_value.string &&
            fast_value.strings == sax_value.strings);
  }
}

reference_reading check_readers(std::string_view frame) {
  auto reference = read_reference(frame);

  flat_object sax;
  const auto sax_status = read_flat_object_sax(frame, sax);
  require(sax_status == reference.status);
  if (sax_status == flat_json_status::ok) require_same_fields(sax, reference.document);

  flat_object fast;
  if (const auto fast_status = read_flat_object_fast(frame, fast)) {
    require(*fast_status == sax_status);
    if (sax_status == flat_json_status::ok) require_same_reading(fast, sax);
  }

  const auto parsed = parse_flat_object(frame);
  require(parsed.status == reference.status);
  if (parsed.status == flat_json_status::ok) require_same_reading(parsed.object, sax);
  return reference;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  const auto reference = check_readers(frame);
  auto result = parse_client_frame(frame);
  if (auto* command = std::get_if<client_command>(&result)) {
    require(reference.status == flat_json_status::ok);
    std::visit(command_checker{reference.document}, *command);
  } else {
    const auto& error = std::get<protocol_error>(result);
    require(!error.code.empty());
    // Frames over a limit are refused as a whole, whatever their fields say.
    if (reference.status != flat_json_status::ok) {
      require(error.code == "invalid_json" && error.ref.is_null());
    }
    // The error is sent back as JSON; it must serialise without throwing on any input.
    (void)error.ref.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return 0;
}
