#include "chatterbox/protocol/server_frames.hpp"

#include "chatterbox/protocol/json_out.hpp"

namespace chatterbox::frames {
namespace {

using json = nlohmann::json;

// replace, not throw: a row edited by hand with bad UTF-8 must not take the server down.
frame_ptr finish(const json& frame) {
  return std::make_shared<const std::string>(frame.dump(-1, ' ', false, json::error_handler_t::replace));
}

frame_ptr finish(std::string&& frame) { return std::make_shared<const std::string>(std::move(frame)); }

// The frames on the hot path (every message, ack, history page and catch-up) are written
// directly: building an nlohmann::json tree first cost more than the rest of a send together.
// Adds a message's fields to `o` and closes it.
void end_with_message(json_out::object& o, const message& m) {
  o.integer("id", m.id)
      .integer("seq", m.seq)
      .string("user", m.user)
      .string("text", m.text)
      .integer("ts", m.ts)
      .boolean("edited", m.edited)
      .boolean("deleted", m.deleted)
      .close();
}

// Rough size of one serialised message, to allocate a page's frame once.
std::size_t estimated_size(const message& m) { return 110 + m.user.size() + m.text.size(); }

void append_messages(std::string& out, const std::vector<message>& messages) {
  std::size_t size = 2;
  for (const auto& m : messages) size += estimated_size(m);
  out.reserve(out.size() + size);
  out.push_back('[');
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (i > 0) out.push_back(',');
    json_out::object o(out);
    end_with_message(o, messages[i]);
  }
  out.push_back(']');
}

}  // namespace

std::size_t message_size(const message& m) {
  // {"id":,"seq":,"user":,"text":,"ts":,"edited":,"deleted":}
  constexpr std::size_t punctuation = 57;
  return punctuation + json_out::int_size(m.id) + json_out::int_size(m.seq) +
         json_out::string_size(m.user) + json_out::string_size(m.text) + json_out::int_size(m.ts) +
         (m.edited ? 4 : 5) + (m.deleted ? 4 : 5);
}

json message_object(const message& m) {
  return {{"id", m.id},     {"seq", m.seq},       {"user", m.user},      {"text", m.text},
          {"ts", m.ts},     {"edited", m.edited}, {"deleted", m.deleted}};
}

frame_ptr hello(std::string_view user, std::int64_t seq) {
  return finish({{"type", "hello"}, {"user", user}, {"seq", seq}, {"protocol", 1}});
}

frame_ptr history(std::optional<std::int64_t> before, const std::vector<message>& messages,
                  bool has_more) {
  std::string out;
  json_out::object o(out);
  o.string("type", "history");
  if (before) {
    o.integer("before", *before);
  } else {
    o.null("before");
  }
  append_messages(o.field("messages"), messages);
  o.boolean("has_more", has_more).close();
  return finish(std::move(out));
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
  std::string out;
  out.reserve(64 + client_id.size());
  json_out::object(out).string("type", "ack").string("client_id", client_id).integer("id", id)
      .integer("ts", ts).close();
  return finish(std::move(out));
}

frame_ptr new_message(const message& m) {
  std::string out;
  out.reserve(estimated_size(m) + 20);
  json_out::object o(out);
  end_with_message(o.string("type", "message"), m);
  return finish(std::move(out));
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
  std::string out;
  json_out::object o(out);
  append_messages(o.string("type", "sync").field("messages"), messages);
  o.integer("seq", seq).boolean("has_more", has_more).close();
  return finish(std::move(out));
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
