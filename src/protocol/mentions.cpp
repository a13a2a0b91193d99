#include "chatterbox/protocol/mentions.hpp"

namespace chatterbox {
namespace {

bool username_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

constexpr std::size_t max_username_chars = 32;

}  // namespace

std::vector<std::string_view> mention_candidates(std::string_view text) {
  std::vector<std::string_view> out;
  for (std::size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    // "a@b" is an address, not a mention: the @ must start a word. Bytes of multi-byte UTF-8
    // characters are never username characters, so "é@bob" mentions bob.
    if (at > 0 && (username_char(text[at - 1]) || text[at - 1] == '@')) continue;
    std::size_t end = at + 1;
    while (end < text.size() && username_char(text[end])) ++end;
    if (end == at + 1) continue;
    // A run longer than any username cannot hold one (a trailing "..." aside): skip it.
    auto run = text.substr(at + 1, end - at - 1);
    while (run.size() > max_username_chars && (run.back() == '.' || run.back() == '-')) {
      run.remove_suffix(1);
    }
    if (run.size() <= max_username_chars) out.push_back(run);
  }
  return out;
}

std::vector<std::string_view> mention_spellings(std::string_view candidate) {
  std::vector<std::string_view> out{candidate};
  while (!candidate.empty() && (candidate.back() == '.' || candidate.back() == '-')) {
    candidate.remove_suffix(1);
    if (!candidate.empty()) out.push_back(candidate);
  }
  return out;
}

}  // namespace chatterbox
