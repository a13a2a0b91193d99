#include "chatterbox/protocol/client_command.hpp"

#include "chatterbox/protocol/text.hpp"

#include <algorithm>

namespace chatterbox {
namespace {

using json = nlohmann::json;
using parse_result = std::variant<client_command, protocol_error>;

// Reads typed fields out of one frame object; the first problem becomes the protocol_error.
class field_reader {
 public:
  field_reader(const json& frame, json ref) : frame_(frame), ref_(std::move(ref)) {}

  std::optional<protocol_error>& error() { return error_; }

  std::int64_t message_id(const char* name) {
    const auto value = integer(name, true);
    if (value && *value < 1) fail("invalid_field", std::string(name) + " must be a positive integer");
    return value.value_or(0);
  }

  std::optional<std::int64_t> integer(const char* name, bool required) {
    const auto it = frame_.find(name);
    if (it == frame_.end() || it->is_null()) {
      if (required) fail("invalid_field", std::string("missing field: ") + name);
      return std::nullopt;
    }
    if (!it->is_number_integer()) {
      fail("invalid_field", std::string(name) + " must be an integer");
      return std::nullopt;
    }
    return it->get<std::int64_t>();
  }

  bool boolean(const char* name) {
    const auto it = frame_.find(name);
    if (it == frame_.end() || !it->is_boolean()) {
      fail("invalid_field", std::string(name) + " must be true or false");
      return false;
    }
    return it->get<bool>();
  }

  std::string string(const char* name) {
    const auto it = frame_.find(name);
    if (it == frame_.end() || !it->is_string()) {
      fail("invalid_field", std::string(name) + " must be a string");
      return {};
    }
    return it->get<std::string>();
  }

  // Chat text: trimmed, then 1–4000 code points.
  std::string text() {
    const auto raw = string("text");
    if (error_) return {};
    const auto trimmed = trim_whitespace(raw);
    if (trimmed.empty()) {
      fail("text_empty", "text is empty");
    } else if (count_code_points(trimmed) > max_text_chars) {
      fail("text_too_long", "text is longer than 4000 characters");
    }
    return std::string(trimmed);
  }

  void fail(std::string code, std::string message) {
    if (!error_) error_ = protocol_error{std::move(code), std::move(message), ref_};
  }

 private:
  const json& frame_;
  json ref_;
  std::optional<protocol_error> error_;
};

// What an error echoes as `ref`: the field that names what the frame was about, when it has
// the right type (a wrong-typed one is the error being reported, not a reference).
json reference_of(const json& frame, std::string_view type) {
  if (type == "send") {
    const auto it = frame.find("client_id");
    return it != frame.end() && it->is_string() ? *it : json(nullptr);
  }
  if (type == "edit" || type == "delete" || type == "seen") {
    const auto it = frame.find("id");
    return it != frame.end() && it->is_number_integer() ? *it : json(nullptr);
  }
  return nullptr;
}

template <class Command>
parse_result finish(field_reader& reader, Command command) {
  if (reader.error()) return std::move(*reader.error());
  return client_command{std::move(command)};
}

parse_result parse_send(field_reader& in) {
  send_command command;
  command.client_id = in.string("client_id");
  if (!in.error() && (command.client_id.empty() ||
                      count_code_points(command.client_id) > max_client_id_chars)) {
    in.fail("invalid_field", "client_id must be 1-64 characters");
  }
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
  const json parsed = json::parse(frame, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return protocol_error{"invalid_json", "frame must be a JSON object", nullptr};
  }
  const auto type_it = parsed.find("type");
  const std::string type =
      type_it != parsed.end() && type_it->is_string() ? type_it->get<std::string>() : "";
  field_reader in(parsed, reference_of(parsed, type));

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
