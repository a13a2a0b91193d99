#include "chatterbox/bus/room_event_codec.hpp"

#include <nlohmann/json.hpp>

#include <exception>
#include <memory>

namespace chatterbox {
namespace {

using json = nlohmann::json;

// A header line of JSON, then the frame's bytes and the reply's (their lengths in the header).
json header_of(const room_event& event, std::string_view origin) {
  json header{{"origin", origin},
              {"frame", event.frame ? event.frame->size() : 0},
              {"reply", event.reply ? event.reply->size() : 0}};
  if (event.actor != 0) header["actor"] = event.actor;
  if (event.message_id != 0) header["message_id"] = event.message_id;
  if (event.removed != 0) header["removed"] = event.removed;
  if (event.new_user_id != 0) {
    header["user"] = {{"id", event.new_user_id}, {"name", event.new_user_name}};
  }
  if (const auto& room = event.changed_room) {
    header["room"] = {
        {"id", room->id},          {"kind", to_string(room->kind)}, {"name", room->name},
        {"dm_key", room->dm_key},  {"creator", room->creator_id},   {"archived", room->archived},
        {"members", room->members}};
  }
  return header;
}

}  // namespace

bus_event encode_room_event(const room_event& event, std::string_view origin) {
  std::string payload = header_of(event, origin).dump();
  payload.push_back('\n');
  if (event.frame) payload += *event.frame;
  if (event.reply) payload += *event.reply;
  return bus_event{event.seq, event.room, std::move(payload)};
}

std::optional<received_room_event> decode_room_event(const bus_event& event) {
  const std::string_view payload = event.frame;
  const auto line_end = payload.find('\n');
  if (line_end == std::string_view::npos) return std::nullopt;
  try {
    const auto header = json::parse(payload.substr(0, line_end));
    const auto frame_bytes = header.at("frame").get<std::size_t>();
    const auto reply_bytes = header.at("reply").get<std::size_t>();
    const auto body = payload.substr(line_end + 1);
    if (body.size() != frame_bytes + reply_bytes) return std::nullopt;
    received_room_event out;
    out.origin = header.at("origin").get<std::string>();
    auto& e = out.event;
    e.seq = event.seq;
    e.room = event.room;
    if (frame_bytes > 0) e.frame = std::make_shared<const std::string>(body.substr(0, frame_bytes));
    if (reply_bytes > 0) e.reply = std::make_shared<const std::string>(body.substr(frame_bytes));
    e.actor = header.value("actor", std::int64_t{0});
    e.message_id = header.value("message_id", std::int64_t{0});
    e.removed = header.value("removed", std::int64_t{0});
    if (const auto user = header.find("user"); user != header.end()) {
      e.new_user_id = user->at("id").get<std::int64_t>();
      e.new_user_name = user->at("name").get<std::string>();
    }
    if (const auto room = header.find("room"); room != header.end()) {
      const auto kind = room_kind_from(room->at("kind").get<std::string>());
      if (!kind) return std::nullopt;
      e.changed_room = room_snapshot{room->at("id").get<std::int64_t>(),
                                     *kind,
                                     room->at("name").get<std::string>(),
                                     room->at("dm_key").get<std::string>(),
                                     room->at("creator").get<std::int64_t>(),
                                     room->at("archived").get<bool>(),
                                     room->at("members").get<std::vector<std::int64_t>>()};
    }
    return out;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace chatterbox
