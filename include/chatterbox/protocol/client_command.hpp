#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace chatterbox {

// One validated client frame of protocol 2 (docs/protocol.md). Parsing does every check that
// needs no database, so the chat service only deals with well-formed commands.
struct send_command {
  std::int64_t room;
  std::string client_id;  // 1–64 code points, no control characters
  // Line breaks as \n, no control characters but \n and \t, trimmed, 1–4000 code points
  // (0–4000 with a file).
  std::string text;
  std::optional<std::int64_t> reply_to;  // the message this one answers
  std::optional<std::int64_t> file;      // an upload of the sender's to attach (POST /api/files)
};
struct react_command {
  std::int64_t id;
  std::string emoji;  // see valid_emoji
  bool on;
};
struct edit_command {
  std::int64_t id;
  std::string text;
};
struct delete_command {
  std::int64_t id;
};
struct typing_command {
  std::int64_t room;
  bool active;
};
struct seen_command {
  std::int64_t room;
  std::int64_t id;
};
struct history_command {
  std::int64_t room;
  std::optional<std::int64_t> before;
  int limit;
  // At most one of before, after and around is set.
  std::optional<std::int64_t> after;
  std::optional<std::int64_t> around;
};
struct sync_command {
  std::int64_t since;
};
struct create_room_command {
  std::string kind;  // "open" or "private"
  std::string name;  // trimmed, 1–64 code points, no control characters
  std::vector<std::string> users;
  std::optional<std::string> client_id;
};
struct open_dm_command {
  std::vector<std::string> users;  // the others, 0–7
  std::optional<std::string> client_id;
};
struct rename_room_command {
  std::int64_t room;
  std::string name;
};
struct add_members_command {
  std::int64_t room;
  std::vector<std::string> users;
};
struct remove_member_command {
  std::int64_t room;
  std::string user;
};
struct leave_room_command {
  std::int64_t room;
};
struct archive_room_command {
  std::int64_t room;
  bool archived;
};
struct notify_command {
  std::int64_t room;
  std::string level;  // "all", "mentions" or "none"
};
struct members_command {
  std::int64_t room;
  std::string prefix;
  int limit;
};
struct seen_by_command {
  std::int64_t room;
  std::int64_t id;
};
struct watch_command {
  std::vector<std::string> users;  // 0–500
};
struct search_command {
  std::string query;  // 1–500 code points, no control characters; parsed by the chat service
  std::optional<std::int64_t> before;
  int limit;
  int tz_offset;  // minutes east of UTC, -840…840
};

using client_command =
    std::variant<send_command, react_command, edit_command, delete_command, typing_command,
                 seen_command,
                 history_command, sync_command, create_room_command, open_dm_command,
                 rename_room_command, add_members_command, remove_member_command,
                 leave_room_command, archive_room_command, notify_command, members_command,
                 seen_by_command, watch_command, search_command>;

struct protocol_error {
  std::string code;
  std::string message;
  nlohmann::json ref;  // the frame's client_id or id, else null
};

inline constexpr std::size_t max_text_chars = 4000;
inline constexpr std::size_t max_client_id_chars = 64;
inline constexpr int default_history_limit = 50;
inline constexpr int max_history_limit = 100;
inline constexpr std::size_t max_room_name_chars = 64;
inline constexpr std::size_t max_command_users = 100;
inline constexpr std::size_t max_dm_others = 7;
inline constexpr std::size_t max_watched_users = 500;
inline constexpr int default_members_limit = 50;
inline constexpr int max_members_limit = 100;
inline constexpr int default_search_limit = 20;
inline constexpr int max_search_limit = 50;

std::variant<client_command, protocol_error> parse_client_frame(std::string_view frame);

}  // namespace chatterbox
