#include "chatterbox/protocol/server_frames.hpp"

#include "chatterbox/protocol/json_out.hpp"

namespace chatterbox::frames {
namespace {

using json = nlohmann::json;

// replace, not throw: a row edited by hand with bad UTF-8 must not take the server down.
frame_ptr finish(const json& frame) {
  return std::make_shared<const std::string>(dumped(frame));
}

frame_ptr finish(std::string&& frame) { return std::make_shared<const std::string>(std::move(frame)); }

// The frames on the hot path (every message, ack, history page and catch-up) are written
// directly: building an nlohmann::json tree first cost more than the rest of a send together.
// Adds a message's fields to `o` and closes it.
void append_names(std::string& out, const std::vector<std::string>& names) {
  out.push_back('[');
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out.push_back(',');
    json_out::append_string(out, names[i]);
  }
  out.push_back(']');
}

std::size_t names_size(const std::vector<std::string>& names) {
  std::size_t size = 2 + (names.empty() ? 0 : names.size() - 1);
  for (const auto& name : names) size += json_out::string_size(name);
  return size;
}

void append_quote(std::string& out, const reply_quote& q) {
  json_out::object(out).integer("id", q.id).string("user", q.user).string("text", q.text)
      .boolean("deleted", q.deleted).close();
}

std::size_t quote_size(const reply_quote& q) {
  // {"id":,"user":,"text":,"deleted":}
  return 34 + json_out::int_size(q.id) + json_out::string_size(q.user) +
         json_out::string_size(q.text) + (q.deleted ? 4 : 5);
}

void append_reactions(std::string& out, const std::vector<chatterbox::reaction>& reactions) {
  out.push_back('[');
  for (std::size_t i = 0; i < reactions.size(); ++i) {
    if (i > 0) out.push_back(',');
    const auto& r = reactions[i];
    json_out::object o(out);
    o.string("emoji", r.emoji).integer("count", r.count);
    append_names(o.field("users"), r.users);
    if (r.me) o.boolean("me", true);
    o.close();
  }
  out.push_back(']');
}

std::size_t reactions_size(const std::vector<chatterbox::reaction>& reactions) {
  std::size_t size = 2 + (reactions.empty() ? 0 : reactions.size() - 1);
  for (const auto& r : reactions) {
    // {"emoji":,"count":,"users":} and ,"me":true
    size += 28 + json_out::string_size(r.emoji) + json_out::int_size(r.count) +
            names_size(r.users) + (r.me ? 10 : 0);
  }
  return size;
}

void append_file(std::string& out, const file_attachment& f) {
  json_out::object o(out);
  o.integer("id", f.id).string("name", f.name).integer("size", f.size).string("type", f.type);
  if (f.width && f.height) o.integer("width", *f.width).integer("height", *f.height);
  o.close();
}

std::size_t file_size(const file_attachment& f) {
  // {"id":,"name":,"size":,"type":} and ,"width":,"height":
  return 31 + json_out::int_size(f.id) + json_out::string_size(f.name) +
         json_out::int_size(f.size) + json_out::string_size(f.type) +
         (f.width && f.height ? 19 + json_out::int_size(*f.width) + json_out::int_size(*f.height)
                              : 0);
}

void end_with_message(json_out::object& o, const message& m) {
  o.integer("id", m.id)
      .integer("room", m.room)
      .integer("seq", m.seq)
      .string("user", m.user)
      .string("text", m.text)
      .integer("ts", m.ts)
      .boolean("edited", m.edited)
      .boolean("deleted", m.deleted);
  if (!m.mentions.empty()) append_names(o.field("mentions"), m.mentions);
  if (m.reply_to) append_quote(o.field("reply_to"), *m.reply_to);
  if (m.replies > 0) o.integer("replies", m.replies);
  if (!m.reactions.empty()) append_reactions(o.field("reactions"), m.reactions);
  if (m.file) append_file(o.field("file"), *m.file);
  o.close();
}

// Rough size of one serialised message, to allocate a page's frame once.
std::size_t estimated_size(const message& m) {
  return 130 + m.user.size() + m.text.size() + 16 * m.mentions.size() +
         (m.reply_to ? 60 + m.reply_to->user.size() + m.reply_to->text.size() : 0) +
         (m.reactions.empty() ? 0 : reactions_size(m.reactions)) +
         (m.file ? 100 + m.file->name.size() : 0);
}

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
  // {"id":,"room":,"seq":,"user":,"text":,"ts":,"edited":,"deleted":}
  constexpr std::size_t punctuation = 65;
  return punctuation + json_out::int_size(m.id) + json_out::int_size(m.room) +
         json_out::int_size(m.seq) + json_out::string_size(m.user) +
         json_out::string_size(m.text) + json_out::int_size(m.ts) + (m.edited ? 4 : 5) +
         (m.deleted ? 4 : 5) + (m.mentions.empty() ? 0 : 12 + names_size(m.mentions)) +
         (m.reply_to ? 12 + quote_size(*m.reply_to) : 0) +
         (m.replies > 0 ? 11 + json_out::int_size(m.replies) : 0) +
         (m.reactions.empty() ? 0 : 13 + reactions_size(m.reactions)) +
         (m.file ? 8 + file_size(*m.file) : 0);
}

json message_object(const message& m) {
  json o = {{"id", m.id},   {"room", m.room},     {"seq", m.seq},         {"user", m.user},
            {"text", m.text}, {"ts", m.ts},     {"edited", m.edited}, {"deleted", m.deleted}};
  if (!m.mentions.empty()) o["mentions"] = m.mentions;
  if (m.reply_to) {
    o["reply_to"] = {{"id", m.reply_to->id},
                     {"user", m.reply_to->user},
                     {"text", m.reply_to->text},
                     {"deleted", m.reply_to->deleted}};
  }
  if (m.replies > 0) o["replies"] = m.replies;
  if (!m.reactions.empty()) {
    auto& list = o["reactions"] = json::array();
    for (const auto& r : m.reactions) {
      json entry = {{"emoji", r.emoji}, {"count", r.count}, {"users", r.users}};
      if (r.me) entry["me"] = true;
      list.push_back(std::move(entry));
    }
  }
  if (m.file) {
    json file = {{"id", m.file->id},
                 {"name", m.file->name},
                 {"size", m.file->size},
                 {"type", m.file->type}};
    if (m.file->width && m.file->height) {
      file["width"] = *m.file->width;
      file["height"] = *m.file->height;
    }
    o["file"] = std::move(file);
  }
  return o;
}

json room_object(const room_view& room) {
  json o = {{"id", room.id},
            {"kind", room.kind},
            {"name", room.kind == "dm" ? json(nullptr) : json(room.name)},
            {"archived", room.archived},
            {"seq", room.seq},
            {"creator", room.creator.empty() ? json(nullptr) : json(room.creator)},
            {"member_count", room.member_count}};
  if (room.members) o["members"] = *room.members;
  return o;
}

std::string room_with_state(const room_view& room, const room_state_view& state) {
  std::string out;
  out.reserve(240 + room.name.size() + room.creator.size() +
              (room.members ? names_size(*room.members) : 0));
  json_out::object o(out);
  o.integer("id", room.id).string("kind", room.kind);
  if (room.kind == "dm") {
    o.null("name");
  } else {
    o.string("name", room.name);
  }
  o.boolean("archived", room.archived).integer("seq", room.seq);
  if (room.creator.empty()) {
    o.null("creator");
  } else {
    o.string("creator", room.creator);
  }
  o.integer("member_count", static_cast<std::int64_t>(room.member_count));
  if (room.members) append_names(o.field("members"), *room.members);
  o.integer("last_id", state.last_id)
      .integer("marker", state.marker)
      .integer("unread", state.unread)
      .integer("mentions", state.mentions)
      .integer("others_read", state.others_read)
      .string("notify", state.notify);
  o.close();
  return out;
}

std::size_t dumped_size(const json& value) { return dumped(value).size(); }

std::string dumped(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

frame_ptr hello(std::string_view user, std::int64_t seq, const std::vector<std::string>& rooms,
                bool truncated) {
  std::size_t size = 96 + user.size();
  for (const auto& room : rooms) size += room.size() + 1;
  std::string out;
  out.reserve(size);
  json_out::object o(out);
  o.string("type", "hello").string("user", user).integer("seq", seq).integer("protocol", 2);
  auto& list = o.field("rooms");
  list.push_back('[');
  for (std::size_t i = 0; i < rooms.size(); ++i) {
    if (i > 0) list.push_back(',');
    list.append(rooms[i]);
  }
  list.push_back(']');
  if (truncated) o.boolean("rooms_truncated", true);
  o.close();
  return finish(std::move(out));
}

frame_ptr hello(std::string_view user, std::int64_t seq, const json& rooms, bool truncated) {
  std::vector<std::string> entries;
  for (const auto& room : rooms) entries.push_back(dumped(room));
  return hello(user, seq, entries, truncated);
}

frame_ptr room(const room_view& room, const json& ref) {
  json frame = {{"type", "room"}, {"room", room_object(room)}};
  if (!ref.is_null()) frame["ref"] = ref;
  return finish(frame);
}

frame_ptr room_removed(std::int64_t room) {
  return finish({{"type", "room_removed"}, {"room", room}});
}

frame_ptr read(std::int64_t room, std::int64_t id, int unread, int mentions) {
  return finish({{"type", "read"}, {"room", room}, {"id", id}, {"unread", unread},
                 {"mentions", mentions}});
}

frame_ptr receipt(std::int64_t room, std::string_view user, std::int64_t id) {
  return finish({{"type", "receipt"}, {"room", room}, {"user", user}, {"id", id}});
}

frame_ptr notify(std::int64_t room, std::string_view level) {
  return finish({{"type", "notify"}, {"room", room}, {"level", level}});
}

frame_ptr members(std::int64_t room, std::string_view prefix,
                  const std::vector<std::pair<std::string, bool>>& users, bool has_more) {
  json list = json::array();
  for (const auto& [name, online] : users) list.push_back({{"name", name}, {"online", online}});
  return finish({{"type", "members"}, {"room", room}, {"prefix", prefix}, {"users", list},
                 {"has_more", has_more}});
}

frame_ptr seen_by(std::int64_t room, std::int64_t id, const std::vector<std::string>& users,
                  bool has_more) {
  return finish({{"type", "seen_by"}, {"room", room}, {"id", id}, {"users", users},
                 {"has_more", has_more}});
}

frame_ptr presence(const std::vector<std::string>& online, const std::vector<std::string>& offline) {
  return finish({{"type", "presence"}, {"online", online}, {"offline", offline}});
}

frame_ptr history(std::int64_t room, std::optional<std::int64_t> before,
                  const std::vector<message>& messages, bool has_more) {
  std::string out;
  json_out::object o(out);
  o.string("type", "history").integer("room", room);
  if (before) {
    o.integer("before", *before);
  } else {
    o.null("before");
  }
  append_messages(o.field("messages"), messages);
  o.boolean("has_more", has_more).close();
  return finish(std::move(out));
}

frame_ptr history_from(std::int64_t room, std::string_view cursor_name, std::int64_t cursor,
                       const std::vector<message>& messages, bool has_more,
                       std::optional<bool> has_newer) {
  std::string out;
  json_out::object o(out);
  o.string("type", "history").integer("room", room).integer(cursor_name, cursor);
  append_messages(o.field("messages"), messages);
  o.boolean("has_more", has_more);
  if (has_newer) o.boolean("has_newer", *has_newer);
  o.close();
  return finish(std::move(out));
}

frame_ptr ack(std::string_view client_id, std::int64_t room, std::int64_t id, std::int64_t ts) {
  std::string out;
  out.reserve(80 + client_id.size());
  json_out::object(out).string("type", "ack").string("client_id", client_id)
      .integer("room", room).integer("id", id).integer("ts", ts).close();
  return finish(std::move(out));
}

frame_ptr new_message(const message& m) {
  std::string out;
  out.reserve(estimated_size(m) + 20);
  json_out::object o(out);
  end_with_message(o.string("type", "message"), m);
  return finish(std::move(out));
}

frame_ptr edited(const message& m) {
  return finish({{"type", "edited"}, {"room", m.room}, {"id", m.id}, {"seq", m.seq},
                 {"text", m.text}, {"mentions", m.mentions}});
}

frame_ptr replies(std::int64_t room, std::int64_t id, std::int64_t seq, int count) {
  std::string out;
  json_out::object(out).string("type", "replies").integer("room", room).integer("id", id)
      .integer("seq", seq).integer("count", count).close();
  return finish(std::move(out));
}

frame_ptr reaction(std::int64_t room, std::int64_t id, std::int64_t seq, std::string_view emoji,
                   std::string_view user, bool on, int count) {
  std::string out;
  json_out::object(out).string("type", "reaction").integer("room", room).integer("id", id)
      .integer("seq", seq).string("emoji", emoji).string("user", user).boolean("on", on)
      .integer("count", count).close();
  return finish(std::move(out));
}

frame_ptr deleted(std::int64_t room, std::int64_t id, std::int64_t seq) {
  return finish({{"type", "deleted"}, {"room", room}, {"id", id}, {"seq", seq}});
}

frame_ptr typing(std::int64_t room, std::string_view user, bool active) {
  return finish({{"type", "typing"}, {"room", room}, {"user", user}, {"active", active}});
}

frame_ptr sync(const std::vector<message>& messages, const json& rooms,
               const std::vector<std::int64_t>& removed, std::int64_t seq, bool has_more) {
  std::string out;
  json_out::object o(out);
  append_messages(o.string("type", "sync").field("messages"), messages);
  o.field("rooms").append(rooms.dump(-1, ' ', false, json::error_handler_t::replace));
  o.field("removed").append(json(removed).dump());
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
