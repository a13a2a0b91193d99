#pragma once

#include "chatterbox/bus/bus_event.hpp"
#include "chatterbox/chat/room_event.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace chatterbox {

// A room_event as it travels between nodes in a bus_event: the frames exactly as the origin
// node serialised them (sent on unchanged, never re-serialised), and what each node needs to
// deliver them (docs/scale-out.md, "Events between nodes"). `origin` names the node that
// committed it: only there does its actor get the reply with their `ref`.
bus_event encode_room_event(const room_event& event, std::string_view origin);

struct received_room_event {
  room_event event;
  std::string origin;
};
// nullopt when `event` is not one this binary understands (a newer node's, or garbage).
std::optional<received_room_event> decode_room_event(const bus_event& event);

}  // namespace chatterbox
