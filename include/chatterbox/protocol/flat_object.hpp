#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chatterbox {

// The most top-level fields a client frame may have. No command has more than five (`type`
// and four more); eight leaves room for later ones.
// The limit is what keeps reading a frame linear in its size: the readers stop at the first key
// over it, so however many keys a frame holds only nine are ever read, and finding one of them
// takes at most eight comparisons.
inline constexpr std::size_t max_frame_fields = 8;

// The most strings a list field (`users`) may hold: the largest list a command takes.
inline constexpr std::size_t max_list_strings = 500;

// One value of a client frame's top-level object: a scalar, or a list of strings (the `users`
// of room commands). Anything else (objects, other arrays, fractions, integers beyond 64 bits,
// a list over max_list_strings) is `other`, which the command parser reports as a field of the
// wrong type.
struct flat_value {
  enum class kind { null, boolean, integer, string, string_list, other };
  kind type = kind::null;
  bool boolean = false;
  std::int64_t integer = 0;
  std::string string;
  std::vector<std::string> strings;  // string_list
};

// A JSON object's top-level fields in document order, at most max_frame_fields of them, held in
// place: reading a frame allocates nothing for its fields beyond strings too long to be stored
// inline.
class flat_object {
 public:
  using field = std::pair<std::string, flat_value>;

  const flat_value* find(std::string_view key) const;
  // The value of `key`, reset to null for a reader to fill in. A repeated key keeps its first
  // position and its last value. nullptr when max_frame_fields other keys are already held.
  flat_value* assign(std::string_view key);
  void clear() { size_ = 0; }

  std::size_t size() const { return size_; }
  const field* begin() const { return fields_.data(); }
  const field* end() const { return fields_.data() + size_; }

 private:
  std::array<field, max_frame_fields> fields_;
  std::size_t size_ = 0;
};

}  // namespace chatterbox
