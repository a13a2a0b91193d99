#include "chatterbox/chat/message.hpp"

#include <algorithm>

namespace chatterbox {

std::string join_mention_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) {
    if (!out.empty()) out.push_back(',');
    out += name;
  }
  return out;
}

std::vector<std::string> split_mention_names(std::string_view joined) {
  std::vector<std::string> names;
  while (!joined.empty()) {
    const auto comma = joined.find(',');
    names.emplace_back(joined.substr(0, comma));
    if (comma == std::string_view::npos) break;
    joined.remove_prefix(comma + 1);
  }
  return names;
}

void add_reaction(message& m, std::string_view emoji, std::int64_t user_id, std::string_view username,
                  std::int64_t viewer) {
  auto it = std::find_if(m.reactions.begin(), m.reactions.end(),
                         [&](const reaction& r) { return r.emoji == emoji; });
  if (it == m.reactions.end()) {
    it = m.reactions.insert(m.reactions.end(), reaction{std::string(emoji), 0, {}, false});
  }
  ++it->count;
  if (it->users.size() < max_reaction_names) it->users.emplace_back(username);
  if (user_id == viewer) it->me = true;
}

}  // namespace chatterbox
