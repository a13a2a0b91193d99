#pragma once

#include "chatterbox/chat/presence_tracker.hpp"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace chatterbox {

// Who is online on the other nodes (docs/scale-out.md, "Presence across nodes"), as each node's
// snapshot in Redis and its presence signals say. Every node numbers its presence changes; a
// snapshot or signal older than what is known of that node is ignored, so a snapshot read just
// before a signal arrived cannot undo it. A node whose snapshot has expired in Redis (it crashed,
// or lost Redis for longer than the expiry) is forgotten with its users.
//
// Every update returns the users whose "online on some other node" changed.
class presence_board {
 public:
  using changed_users = std::vector<std::int64_t>;

  changed_users snapshot(const std::string& node, std::uint64_t version,
                         const std::vector<present_user>& users);
  changed_users change(const std::string& node, std::uint64_t version, const present_user& user,
                       bool online);

  // A read of every node's snapshot starts: its number, for forget_missing.
  std::uint64_t begin_read() { return ++reads_; }
  // The read numbered `read` found snapshots of `live` nodes only: the others are gone, unless
  // a signal of theirs arrived after the read began (a node that has just started).
  changed_users forget_missing(const std::set<std::string>& live, std::uint64_t read);

  bool is_online(std::int64_t user_id) const { return nodes_of_.contains(user_id); }
  std::vector<present_user> online_users() const;
  std::size_t node_count() const { return nodes_.size(); }

 private:
  struct node_state {
    std::uint64_t version = 0;
    std::uint64_t touched = 0;  // the number of the latest read begun when it was last updated
    std::map<std::int64_t, std::string> users;
  };

  node_state& node(const std::string& name);
  // Users come and go on one node; each returns whether the user's state elsewhere changed.
  bool add(node_state& node, std::int64_t user_id, const std::string& name);
  bool remove(node_state& node, std::int64_t user_id);

  std::map<std::string, node_state> nodes_;
  // user -> on how many nodes, and their name
  struct presence {
    int nodes = 0;
    std::string name;
  };
  std::unordered_map<std::int64_t, presence> nodes_of_;
  std::uint64_t reads_ = 0;
};

}  // namespace chatterbox
