#include "chatterbox/protocol/search_frames.hpp"

#include "chatterbox/protocol/text.hpp"

namespace chatterbox::frames {

std::vector<std::string> snippet_parts(std::string_view marked) {
  std::vector<std::string> parts(1);
  for (const char c : marked) {
    const bool in_match = parts.size() % 2 == 0;
    if (c == '\x01' && !in_match) {
      parts.emplace_back();
    } else if (c == '\x02' && in_match) {
      parts.emplace_back();
    } else if (c != '\x01' && c != '\x02') {
      parts.back().push_back(c);
    }
  }
  if (parts.size() > 1 && parts.back().empty()) parts.pop_back();
  return parts;
}

std::string text_head(std::string_view text, std::size_t max_chars) {
  std::size_t at = 0;
  for (std::size_t chars = 0; at < text.size() && chars < max_chars; ++chars) {
    const auto length = utf8_sequence_length(text, at);
    at += length == 0 ? 1 : length;
  }
  if (at >= text.size()) return std::string(text);
  return joined(text.substr(0, at), "…");
}

nlohmann::json search_result(const message& m, const std::vector<std::string>& snippet) {
  auto object = message_object(m);
  object["snippet"] = snippet;
  return object;
}

frame_ptr search(std::string_view query, std::optional<std::int64_t> before,
                 const std::vector<nlohmann::json>& results,
                 std::optional<std::int64_t> next_before) {
  nlohmann::json frame = {{"type", "search"},
                          {"query", query},
                          {"before", before ? nlohmann::json(*before) : nlohmann::json(nullptr)},
                          {"results", results},
                          {"has_more", next_before.has_value()},
                          {"next_before", next_before ? nlohmann::json(*next_before)
                                                      : nlohmann::json(nullptr)}};
  return std::make_shared<const std::string>(dumped(frame));
}

}  // namespace chatterbox::frames
