#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace chatterbox {

// Every account's id and name, in memory: mentions, member lists and DMs resolve names without
// a query. Names are unique regardless of ASCII case, as in the users table (COLLATE NOCASE).
class user_directory {
 public:
  void add(std::int64_t id, std::string name);
  const std::string* name_of(std::int64_t id) const;
  std::optional<std::int64_t> id_of(std::string_view name) const;
  std::size_t size() const { return names_.size(); }

 private:
  std::unordered_map<std::int64_t, std::string> names_;
  std::unordered_map<std::string, std::int64_t> ids_;  // by ASCII-lowercased name
};

}  // namespace chatterbox
