#pragma once

#include "chatterbox/protocol/flat_json.hpp"

#include <optional>
#include <string_view>

namespace chatterbox {

// The reader on the hot path of every client frame: one strict pass over an object of strings,
// integers, booleans and nulls, with no document tree. When it answers (ok or too_many_fields)
// the answer, fields included, is the SAX reader's. nullopt when the frame is invalid or merely
// unusual (nested values, fractions, integers beyond 64 bits): the SAX reader then decides.
std::optional<flat_json_status> read_flat_object_fast(std::string_view text, flat_object& out);

}  // namespace chatterbox
