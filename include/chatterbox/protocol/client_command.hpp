#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace chatterbox {

// One validated client frame of protocol v1 (docs/protocol.md). Parsing does every check that
// needs no database, so the chat service only deals with well-formed commands.
struct send_command {
  std::string client_id;  // 1–64 code points, no control characters
  // Line breaks as \n, no control characters but \n and \t, trimmed, 1–4000 code points.
  std::string text;
};
struct edit_command {
  std::int64_t id;
  std::string text;
};
struct delete_command {
  std::int64_t id;
};
struct typing_command {
  bool active;
};
struct seen_command {
  std::int64_t id;
};
struct history_command {
  std::optional<std::int64_t> before;
  int limit;
};
struct sync_command {
  std::int64_t since;
};

using client_command = std::variant<send_command, edit_command, delete_command, typing_command,
                                    seen_command, history_command, sync_command>;

struct protocol_error {
  std::string code;
  std::string message;
  nlohmann::json ref;  // the frame's client_id or id, else null
};

inline constexpr std::size_t max_text_chars = 4000;
inline constexpr std::size_t max_client_id_chars = 64;
inline constexpr int default_history_limit = 50;
inline constexpr int max_history_limit = 100;

std::variant<client_command, protocol_error> parse_client_frame(std::string_view frame);

}  // namespace chatterbox
