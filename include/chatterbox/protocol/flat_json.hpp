#pragma once

#include "chatterbox/protocol/flat_object.hpp"

#include <cstddef>
#include <string_view>

namespace chatterbox {

// How deep a client frame may nest, the frame object being level 1. No command nests at all.
// The SAX reader needs no stack of its own, so this is not about memory: a frame that is one
// long staircase of brackets is refused at its ninth step rather than read to the end.
inline constexpr std::size_t max_frame_depth = 8;

enum class flat_json_status {
  ok,
  invalid_json,     // not JSON, or not a JSON object
  too_many_fields,  // more than max_frame_fields top-level members (a repeated key counts again)
  too_deep,         // a value nested beyond max_frame_depth
};

struct flat_json_result {
  flat_json_status status = flat_json_status::invalid_json;
  flat_object object;  // the top-level fields, when status is ok
};

// Reads a client frame in time linear in its size, whatever it holds. The fast reader takes
// what clients actually send — one object of strings, integers, booleans and nulls — and
// anything unusual goes to the SAX reader, which reads exactly what nlohmann::json reads; both
// give the same answer. Both stop at the first key over max_frame_fields and the first bracket
// beyond max_frame_depth, so whatever follows is never read: a frame over a limit is refused
// even if the rest of it is not JSON.
flat_json_result parse_flat_object(std::string_view text);

}  // namespace chatterbox
