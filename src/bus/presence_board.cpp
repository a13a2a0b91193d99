#include "chatterbox/bus/presence_board.hpp"

#include <algorithm>

namespace chatterbox {

presence_board::node_state& presence_board::node(const std::string& name) {
  auto& state = nodes_[name];
  state.touched = reads_;
  return state;
}

bool presence_board::add(node_state& node, std::int64_t user_id, const std::string& name) {
  if (!node.users.emplace(user_id, name).second) return false;
  auto& p = nodes_of_[user_id];
  p.name = name;
  return ++p.nodes == 1;
}

bool presence_board::remove(node_state& node, std::int64_t user_id) {
  if (node.users.erase(user_id) == 0) return false;
  const auto it = nodes_of_.find(user_id);
  if (it == nodes_of_.end() || --it->second.nodes > 0) return false;
  nodes_of_.erase(it);
  return true;
}

presence_board::changed_users presence_board::snapshot(const std::string& name,
                                                       std::uint64_t version,
                                                       const std::vector<present_user>& users) {
  auto& state = node(name);
  changed_users changed;
  if (version < state.version) return changed;
  state.version = version;
  std::map<std::int64_t, std::string> now;
  for (const auto& user : users) now.emplace(user.id, user.name);
  std::vector<std::int64_t> gone;
  for (const auto& [id, _] : state.users) {
    if (!now.contains(id)) gone.push_back(id);
  }
  for (const auto id : gone) {
    if (remove(state, id)) changed.push_back(id);
  }
  for (const auto& [id, user_name] : now) {
    if (add(state, id, user_name)) changed.push_back(id);
  }
  return changed;
}

presence_board::changed_users presence_board::change(const std::string& name, std::uint64_t version,
                                                     const present_user& user, bool online) {
  auto& state = node(name);
  if (version <= state.version) return {};
  state.version = version;
  if (online ? add(state, user.id, user.name) : remove(state, user.id)) return {user.id};
  return {};
}

presence_board::changed_users presence_board::forget_missing(const std::set<std::string>& live,
                                                             std::uint64_t read) {
  changed_users changed;
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    if (live.contains(it->first) || it->second.touched >= read) {
      ++it;
      continue;
    }
    const auto users = it->second.users;
    for (const auto& [id, _] : users) {
      if (remove(it->second, id)) changed.push_back(id);
    }
    it = nodes_.erase(it);
  }
  return changed;
}

std::vector<present_user> presence_board::online_users() const {
  std::vector<present_user> out;
  out.reserve(nodes_of_.size());
  for (const auto& [id, p] : nodes_of_) out.push_back({id, p.name});
  std::sort(out.begin(), out.end(),
            [](const present_user& a, const present_user& b) { return a.id < b.id; });
  return out;
}

}  // namespace chatterbox
