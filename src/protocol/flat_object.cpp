#include "chatterbox/protocol/flat_object.hpp"

namespace chatterbox {

const flat_value* flat_object::find(std::string_view key) const {
  for (const auto& [name, value] : *this) {
    if (name == key) return &value;
  }
  return nullptr;
}

flat_value* flat_object::assign(std::string_view key) {
  for (std::size_t i = 0; i < size_; ++i) {
    if (fields_[i].first == key) {
      fields_[i].second = flat_value{};
      return &fields_[i].second;
    }
  }
  if (size_ == fields_.size()) return nullptr;
  auto& [name, value] = fields_[size_++];
  name.assign(key);
  value = flat_value{};
  return &value;
}

}  // namespace chatterbox
