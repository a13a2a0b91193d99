#pragma once

#include "chatterbox/chat/message.hpp"
#include "chatterbox/protocol/server_frames.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatterbox::frames {

// The parts of an FTS5 snippet whose matches are marked \x01…\x02: plain text at even indexes,
// matched words at odd ones (docs/protocol.md, "search"). Starts with a plain part, "" when
// the text starts with a match.
std::vector<std::string> snippet_parts(std::string_view marked);
// The first `max_chars` code points of `text`, with `…` when it was cut.
std::string text_head(std::string_view text, std::size_t max_chars);

// One result: the message object with its snippet.
nlohmann::json search_result(const message& m, const std::vector<std::string>& snippet);
// next_before: where the next page starts (has_more), none when this page is the last.
frame_ptr search(std::string_view query, std::optional<std::int64_t> before,
                 const std::vector<nlohmann::json>& results,
                 std::optional<std::int64_t> next_before);

}  // namespace chatterbox::frames
