#include "chatterbox/protocol/client_command.hpp"

#include "chatterbox/auth/credentials.hpp"
#include "chatterbox/protocol/flat_json.hpp"
#include "chatterbox/protocol/search_query.hpp"
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
  const auto field = [&](const char* name, flat_value::kind kind) -> json {
    const auto* value = frame.find(name);
    if (!value || value->type != kind) return nullptr;
    return kind == flat_value::kind::string ? json(value->string) : json(value->integer);
  };
  if (type == "send" || type == "create_room" || type == "open_dm") {
    return field("client_id", flat_value::kind::string);
  }
  if (type == "edit" || type == "delete" || type == "react" || type == "seen" ||
      type == "seen_by") {
    return field("id", flat_value::kind::integer);
  }
  return field("room", flat_value::kind::integer);
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

  std::vector<std::string> users(const char* name, std::size_t max, bool required) {
    const auto* value = frame_.find(name);
    if (!value || value->type == flat_value::kind::null) {
      if (required) fail("invalid_field", joined("missing field: ", name));
      return {};
    }
    if (value->type != flat_value::kind::string_list || value->strings.size() > max) {
      fail("invalid_field",
           joined(joined(name, " must be a list of at most "),
                  joined(std::to_string(max), " usernames")));
      return {};
    }
    for (const auto& user : value->strings) {
      if (!valid_username(user)) {
        fail("invalid_field", joined(name, " must hold usernames"));
        return {};
      }
    }
    return value->strings;
  }

  // A room name: trimmed, 1–64 code points, no control characters (not even a line break).
  std::string room_name() {
    const auto raw = string("name");
    if (error_) return {};
    if (has_control_character(raw)) {
      fail("invalid_field", "name must not contain control characters");
      return {};
    }
    const auto trimmed = trim_whitespace(raw);
    if (trimmed.empty() || count_code_points(trimmed) > max_room_name_chars) {
      fail("invalid_field", "name must be 1-64 characters");
    }
    return std::string(trimmed);
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
  // may_be_empty: a message carrying a file needs no text (absent or empty).
  std::string text(bool may_be_empty = false) {
    const auto* value = frame_.find("text");
    if (may_be_empty && (!value || value->type == flat_value::kind::null)) return {};
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
      if (!may_be_empty) fail("text_empty", "text is empty");
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

std::optional<std::string> optional_client_id(field_reader& in, const flat_object& frame) {
  const auto* value = frame.find("client_id");
  if (!value || value->type == flat_value::kind::null) return std::nullopt;
  auto client_id = in.string("client_id");
  if (!in.error()) check_client_id(in, client_id);
  return client_id;
}

parse_result parse_send(field_reader& in) {
  send_command command;
  command.room = in.message_id("room");
  command.client_id = in.string("client_id");
  if (!in.error()) check_client_id(in, command.client_id);
  const auto file = in.integer("file", false);
  command.text = in.text(file.has_value());
  if (const auto reply_to = in.integer("reply_to", false)) {
    if (*reply_to < 1) in.fail("invalid_field", "reply_to must be a positive integer");
    command.reply_to = reply_to;
  }
  if (file) {
    if (*file < 1) in.fail("invalid_field", "file must be a positive integer");
    command.file = file;
  }
  return finish(in, std::move(command));
}

parse_result parse_react(field_reader& in) {
  react_command command{in.message_id("id"), in.string("emoji"), false};
  if (!in.error() && !valid_emoji(command.emoji)) {
    in.fail("invalid_field", "emoji must be 1-16 characters with no letters, spaces or control characters");
  }
  command.on = in.boolean("on");
  return finish(in, std::move(command));
}

parse_result parse_history(field_reader& in) {
  history_command command{};
  command.room = in.message_id("room");
  command.before = in.integer("before", false);
  command.after = in.integer("after", false);
  command.around = in.integer("around", false);
  if (command.before.has_value() + command.after.has_value() + command.around.has_value() > 1) {
    in.fail("invalid_field", "at most one of before, after and around");
  }
  const auto limit = in.integer("limit", false).value_or(default_history_limit);
  command.limit = static_cast<int>(std::clamp<std::int64_t>(limit, 1, max_history_limit));
  return finish(in, command);
}

parse_result parse_search(field_reader& in) {
  search_command command{};
  command.query = in.string("query");
  if (!in.error()) {
    const auto length = count_code_points(command.query);
    if (length == 0 || length > max_search_query_chars) {
      in.fail("invalid_field", "query must be 1-500 characters");
    } else if (has_control_character(command.query, allowed_controls::newline_and_tab)) {
      in.fail("invalid_field", "query must not contain control characters");
    }
  }
  command.before = in.integer("before", false);
  const auto limit = in.integer("limit", false).value_or(default_search_limit);
  command.limit = static_cast<int>(std::clamp<std::int64_t>(limit, 1, max_search_limit));
  const auto tz_offset = in.integer("tz_offset", false).value_or(0);
  if (tz_offset < -max_tz_offset_minutes || tz_offset > max_tz_offset_minutes) {
    in.fail("invalid_field", "tz_offset must be -840 to 840 (minutes east of UTC)");
  }
  command.tz_offset = static_cast<int>(std::clamp<std::int64_t>(tz_offset, -max_tz_offset_minutes,
                                                                 max_tz_offset_minutes));
  return finish(in, std::move(command));
}

parse_result parse_create_room(field_reader& in, const flat_object& frame) {
  create_room_command command;
  command.kind = in.string("kind");
  if (!in.error() && command.kind != "open" && command.kind != "private") {
    in.fail("invalid_field", "kind must be \"open\" or \"private\"");
  }
  command.name = in.room_name();
  command.users = in.users("users", max_command_users, false);
  command.client_id = optional_client_id(in, frame);
  return finish(in, std::move(command));
}

parse_result parse_members(field_reader& in, const flat_object& frame) {
  members_command command{};
  command.room = in.message_id("room");
  if (const auto* prefix = frame.find("prefix"); prefix && prefix->type != flat_value::kind::null) {
    command.prefix = in.string("prefix");
    if (command.prefix.size() > 32) in.fail("invalid_field", "prefix is too long");
  }
  const auto limit = in.integer("limit", false).value_or(default_members_limit);
  command.limit = static_cast<int>(std::clamp<std::int64_t>(limit, 1, max_members_limit));
  return finish(in, std::move(command));
}

parse_result parse_notify(field_reader& in) {
  notify_command command{in.message_id("room"), in.string("level")};
  if (!in.error() && command.level != "all" && command.level != "mentions" &&
      command.level != "none") {
    in.fail("invalid_field", "level must be \"all\", \"mentions\" or \"none\"");
  }
  return finish(in, std::move(command));
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
  if (type == "react") return parse_react(in);
  if (type == "typing") {
    typing_command command{in.message_id("room"), false};
    command.active = in.boolean("active");
    return finish(in, command);
  }
  if (type == "seen" || type == "seen_by") {
    const auto room = in.message_id("room");
    const auto id = in.message_id("id");
    if (type == "seen") return finish(in, seen_command{room, id});
    return finish(in, seen_by_command{room, id});
  }
  if (type == "history") return parse_history(in);
  if (type == "search") return parse_search(in);
  if (type == "sync") return parse_sync(in);
  if (type == "create_room") return parse_create_room(in, parsed.object);
  if (type == "open_dm") {
    open_dm_command command;
    command.users = in.users("users", max_dm_others, true);
    command.client_id = optional_client_id(in, parsed.object);
    return finish(in, std::move(command));
  }
  if (type == "rename_room") {
    rename_room_command command{in.message_id("room"), {}};
    command.name = in.room_name();
    return finish(in, std::move(command));
  }
  if (type == "add_members") {
    add_members_command command{in.message_id("room"), {}};
    command.users = in.users("users", max_command_users, true);
    return finish(in, std::move(command));
  }
  if (type == "remove_member") {
    remove_member_command command{in.message_id("room"), in.string("user")};
    if (!in.error() && !valid_username(command.user)) in.fail("invalid_field", "user must be a username");
    return finish(in, std::move(command));
  }
  if (type == "leave_room") return finish(in, leave_room_command{in.message_id("room")});
  if (type == "archive_room") {
    archive_room_command command{in.message_id("room"), false};
    command.archived = in.boolean("archived");
    return finish(in, command);
  }
  if (type == "notify") return parse_notify(in);
  if (type == "members") return parse_members(in, parsed.object);
  if (type == "watch") return finish(in, watch_command{in.users("users", max_watched_users, true)});
  return protocol_error{"unknown_type",
                        type.empty() ? "frame has no type" : "unknown type: " + type.substr(0, 64),
                        nullptr};
}

}  // namespace chatterbox
