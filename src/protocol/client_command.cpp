#include "chatterbox/protocol/client_command.hpp"

#include "chatterbox/protocol/flat_json.hpp"
#include "chatterbox/protocol/text.hpp"

#include <algorithm>
#include <string>

namespace chatterbox {
namespace {

using json = nlohmann::json;
using parse_result = std::variant<client_command, protocol_error>;

// What an error echoes as `ref`: the field that names what the frame was about, when it has
// the right type (a wrong-typed one is the error being reported, not a reference).
json reference_of(const flat_object& frame, std::string_view type) {
  if (type == "send") {
    const auto* client_id = frame.find("client_id");
    return client_id && client_id->type == flat_value::kind::string ? json(client_id->string)
                                                                     : json(nullptr);
  }
  if (type == "edit" || type == "delete" || type == "seen") {
    const auto* id = frame.find("id");
    return id && id->type == flat_value::kind::integer ? json(id->integer) : json(nullptr);
  }
  return nullptr;
}

std::string frame_error_message(flat_json_status status) {
  switch (status) {
    case flat_json_status::too_many_fields:
      return joined(joined("frame has more than ", std::to_string(max_frame_fields)), " fields");
    case flat_json_status::too_deep:
      return joined(joined("frame is nested more than ", std::to_string(max_frame_depth)),
                    " levels deep");
    case flat_json_status::ok:
    case flat_json_status::invalid_json:
      break;
  }
  return "frame must be a JSON object";
}

// Reads typed fields out of one frame object; the first problem becomes the protocol_error.
class field_reader {
 public:
  field_reader(const flat_object& frame, std::string_view type) : frame_(frame), type_(type) {}

  std::optional<protocol_error>& error() { return error_; }

  std::int64_t message_id(const char* name) {
    const auto value = integer(name, true);
    if (value && *value < 1) fail("invalid_field", joined(name, " must be a positive integer"));
    return value.value_or(0);
  }

  std::optional<std::int64_t> integer(const char* name, bool required) {
    const auto* value = frame_.find(name);
    if (!value || value->type == flat_value::kind::null) {
      if (required) fail("invalid_field", joined("missing field: ", name));
      return std::nullopt;
    }
    if (value->type != flat_value::kind::integer) {
      fail("invalid_field", joined(name, " must be an integer"));
      return std::nullopt;
    }
    return value->integer;
  }

  bool boolean(const char* name) {
    const auto* value = frame_.find(name);
    if (!value || value->type != flat_value::kind::boolean) {
      fail("invalid_field", joined(name, " must be true or false"));
      return false;
    }
    return value->boolean;
  }

  std::string string(const char* name) {
    const auto* value = frame_.find(name);
    if (!value || value->type != flat_value::kind::string) {
      fail("invalid_field", joined(name, " must be a string"));
      return {};
    }
    return value->string;
  }

  // Chat text, in the order docs/protocol.md gives: line breaks normalised, control characters
  // refused, then trimmed to 1–4000 code points.
  std::string text() {
    const auto* value = frame_.find("text");
    if (!value || value->type != flat_value::kind::string) {
      fail("invalid_field", "text must be a string");
      return {};
    }
    std::string normalised;  // only used when the text holds a \r
    const auto text = normalise_line_breaks(value->string, normalised);
    if (has_control_character(text, allowed_controls::newline_and_tab)) {
      fail("invalid_field", "text must not contain control characters");
      return {};
    }
    const auto trimmed = trim_whitespace(text);
    if (trimmed.empty()) {
      fail("text_empty", "text is empty");
    } else if (count_code_points(trimmed) > max_text_chars) {
      fail("text_too_long", "text is longer than 4000 characters");
    }
    return std::string(trimmed);
  }

  void fail(std::string code, std::string message) {
    // The reference is only built for an error: most frames are fine.
    if (!error_) error_ = protocol_error{std::move(code), std::move(message), reference_of(frame_, type_)};
  }

 private:
  const flat_object& frame_;
  std::string_view type_;
  std::optional<protocol_error> error_;
};

template <class Command>
parse_result finish(field_reader& reader, Command command) {
  if (reader.error()) return std::move(*reader.error());
  return client_command{std::move(command)};
}

void check_client_id(field_reader& in, std::string_view client_id) {
  if (client_id.empty() || count_code_points(client_id) > max_client_id_chars) {
    in.fail("invalid_field", "client_id must be 1-64 characters");
  } else if (has_control_character(client_id)) {
    // Not even newline or tab: the id is echoed in acks and errors, and is no text.
    in.fail("invalid_field", "client_id must not contain control characters");
  }
}

parse_result parse_send(field_reader& in) {
  send_command command;
  command.client_id = in.string("client_id");
  if (!in.error()) check_client_id(in, command.client_id);
  command.text = in.text();
  return finish(in, std::move(command));
}

parse_result parse_history(field_reader& in) {
  history_command command{};
  command.before = in.integer("before", false);
  const auto limit = in.integer("limit", false).value_or(default_history_limit);
  command.limit = static_cast<int>(std::clamp<std::int64_t>(limit, 1, max_history_limit));
  return finish(in, command);
}

parse_result parse_sync(field_reader& in) {
  sync_command command{in.integer("since", true).value_or(0)};
  if (command.since < 0) in.fail("invalid_field", "since must not be negative");
  return finish(in, command);
}

}  // namespace

std::variant<client_command, protocol_error> parse_client_frame(std::string_view frame) {
  const auto parsed = parse_flat_object(frame);
  if (parsed.status != flat_json_status::ok) {
    // invalid_json for the limits too: the frame was refused as a whole, before any field of it
    // was looked at (so there is no ref either).
    return protocol_error{"invalid_json", frame_error_message(parsed.status), nullptr};
  }
  const auto* type_field = parsed.object.find("type");
  const std::string type =
      type_field && type_field->type == flat_value::kind::string ? type_field->string : "";
  field_reader in(parsed.object, type);

  if (type == "send") return parse_send(in);
  if (type == "edit") {
    edit_command command{in.message_id("id"), {}};
    command.text = in.text();
    return finish(in, std::move(command));
  }
  if (type == "delete") return finish(in, delete_command{in.message_id("id")});
  if (type == "typing") return finish(in, typing_command{in.boolean("active")});
  if (type == "seen") return finish(in, seen_command{in.message_id("id")});
  if (type == "history") return parse_history(in);
  if (type == "sync") return parse_sync(in);
  return protocol_error{"unknown_type",
                        type.empty() ? "frame has no type" : "unknown type: " + type.substr(0, 64),
                        nullptr};
}

}  // namespace chatterbox
