#pragma once

#include "chatterbox/chat/chat_signal.hpp"
#include "chatterbox/chat/connection_manager.hpp"
#include "chatterbox/chat/presence_tracker.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatterbox {

// Signals between nodes on the `chatterbox:signals` channel, one JSON object per PUBLISH, and
// each node's presence snapshot as Redis keeps it (docs/scale-out.md, "Signals between nodes").
// `origin` names the sending node; `version` numbers its presence changes (presence only).
std::string encode_signal(const chat_signal& signal, std::string_view origin,
                          std::uint64_t version);

struct received_signal {
  chat_signal signal;
  std::string origin;
  std::uint64_t version = 0;
};
// nullopt when `payload` is not a signal this binary understands.
std::optional<received_signal> decode_signal(std::string_view payload);

// A session ended on one node (logout, a new password, a deactivated account): the others
// close its connections too. Same channel; decode_signal refuses it, decode_session_end takes it.
std::string encode_session_end(const connection_manager::session_end& end, std::string_view origin);
struct received_session_end {
  connection_manager::session_end end;
  std::string origin;
};
std::optional<received_session_end> decode_session_end(std::string_view payload);

struct presence_snapshot {
  std::uint64_t version = 0;
  std::vector<present_user> users;
};
std::string encode_presence(const presence_snapshot& snapshot);
std::optional<presence_snapshot> decode_presence(std::string_view value);

}  // namespace chatterbox
