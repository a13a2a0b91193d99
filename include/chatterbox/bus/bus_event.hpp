#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatterbox {

// A committed change as nodes tell each other of it: its seq, the room it belongs to and the
// frame the clients get, serialised once by the node that committed it.
struct bus_event {
  std::int64_t seq = 0;
  std::int64_t room = 0;
  std::string frame{};

  bool operator==(const bus_event&) const = default;
};

// One PUBLISH carries a batch (a group commit's events): per event "<seq> <room> <bytes>\n" and
// then the frame's bytes. Frames are JSON, but the format does not care (no escaping).
std::string encode_bus_batch(const std::vector<bus_event>& events);
// nullopt when `payload` is not a well-formed batch (from a foreign or broken publisher).
std::optional<std::vector<bus_event>> decode_bus_batch(std::string_view payload);

}  // namespace chatterbox
