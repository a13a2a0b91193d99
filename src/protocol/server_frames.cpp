#include "chatterbox/protocol/server_frames.hpp"

namespace chatterbox::frames {
namespace {

using json = nlohmann::json;

// replace, not throw: a row edited by hand with bad UTF-8 must not take the server down.
frame_ptr finish(const json& frame) {
  return std::make_shared<const std::string>(frame.dump(-1, ' ', false, json::error_handler_t::replace));
}

json message_array(const std::vector<message>& messages) {
  json array = json::array();
  for (const auto& m : messages) array.push_back(message_object(m));
  return array;
}

}  // namespace

json message_object(const message& m) {
  return {{"id", m.id},     {"seq", m.seq},       {"user", m.user},      {"text", m.text},
          {"ts", m.ts},     {"edited", m.edited}, {"deleted", m.deleted}};
}

frame_ptr hello(std::string_view user, std::int64_t seq) {
  return finish({{"type", "hello"}, {"user", user}, {"seq", seq}, {"protocol", 1}});
}

frame_ptr history(std::optional<std::int64_t> before, const std::vector<message>& messages,
                  bool has_more) {
  return finish({{"type", "history"},
                 {"before", before ? json(*before) : json(nullptr)},
                 {"messages", message_array(messages)},
                 {"has_more", has_more}});
}

frame_ptr presence(const std::vector<std::string>& users) {
  return finish({{"type", "presence"}, {"users", users}});
}

frame_ptr receipts(const std::map<std::string, std::int64_t>& markers) {
  return finish({{"type", "receipts"}, {"markers", markers}});
}

frame_ptr join(std::string_view user) { return finish({{"type", "join"}, {"user", user}}); }

frame_ptr leave(std::string_view user) { return finish({{"type", "leave"}, {"user", user}}); }

frame_ptr ack(std::string_view client_id, std::int64_t id, std::int64_t ts) {
  return finish({{"type", "ack"}, {"client_id", client_id}, {"id", id}, {"ts", ts}});
}

frame_ptr new_message(const message& m) {
  json frame = message_object(m);
  frame["type"] = "message";
  return finish(frame);
}

frame_ptr edited(std::int64_t id, std::int64_t seq, std::string_view text) {
  return finish({{"type", "edited"}, {"id", id}, {"seq", seq}, {"text", text}});
}

frame_ptr deleted(std::int64_t id, std::int64_t seq) {
  return finish({{"type", "deleted"}, {"id", id}, {"seq", seq}});
}

frame_ptr typing(std::string_view user, bool active) {
  return finish({{"type", "typing"}, {"user", user}, {"active", active}});
}

frame_ptr seen(std::string_view user, std::int64_t id) {
  return finish({{"type", "seen"}, {"user", user}, {"id", id}});
}

frame_ptr sync(const std::vector<message>& messages, std::int64_t seq, bool has_more) {
  return finish(
      {{"type", "sync"}, {"messages", message_array(messages)}, {"seq", seq}, {"has_more", has_more}});
}

frame_ptr error(std::string_view code, std::string_view message, const json& ref) {
  return finish({{"type", "error"}, {"code", code}, {"message", message}, {"ref", ref}});
}

frame_ptr rate_limited(const json& ref, std::int64_t retry_after_ms) {
  return finish({{"type", "error"},
                 {"code", "rate_limited"},
                 {"message", "too many messages; retry later"},
                 {"ref", ref},
                 {"retry_after_ms", retry_after_ms}});
}

}  // namespace chatterbox::frames
