#include "chatterbox/chat/user_directory.hpp"

#include "chatterbox/text/ascii.hpp"

namespace chatterbox {

void user_directory::add(std::int64_t id, std::string name) {
  ids_[ascii::lowered(name)] = id;
  names_[id] = std::move(name);
}

const std::string* user_directory::name_of(std::int64_t id) const {
  const auto it = names_.find(id);
  return it == names_.end() ? nullptr : &it->second;
}

std::optional<std::int64_t> user_directory::id_of(std::string_view name) const {
  const auto it = ids_.find(ascii::lowered(name));
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

}  // namespace chatterbox
