#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chatterbox {

// One value of a client frame's top-level object. Every field of protocol v1 is a scalar;
// anything else (arrays, objects, fractions, integers beyond 64 bits) is `other`, which the
// command parser reports as a field of the wrong type.
struct flat_value {
  enum class kind { null, boolean, integer, string, other };
  kind type = kind::null;
  bool boolean = false;
  std::int64_t integer = 0;
  std::string string;
};

// A JSON object's top-level fields in document order; a repeated key keeps its last value.
class flat_object {
 public:
  const flat_value* find(std::string_view key) const;
  void set(std::string key, flat_value value);

 private:
  std::vector<std::pair<std::string, flat_value>> fields_;
};

// Reads a client frame. The fast path handles what clients actually send — one object of
// strings, integers, booleans and nulls — without building a document tree; anything unusual
// goes through nlohmann::json, so both paths accept exactly the same inputs. nullopt when the
// text is not a JSON object.
std::optional<flat_object> parse_flat_object(std::string_view text);

}  // namespace chatterbox
