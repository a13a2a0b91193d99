#pragma once

#include "chatterbox/protocol/flat_json.hpp"

#include <string_view>

namespace chatterbox {

// Reads any JSON text with nlohmann::json's SAX parser into the top-level fields alone: nested
// values become `other` without being stored, so no document tree is ever built, and reading
// stops at the first key over max_frame_fields or bracket beyond max_frame_depth. The authority
// on what a frame says; throws nothing for bad input.
flat_json_status read_flat_object_sax(std::string_view text, flat_object& out);

}  // namespace chatterbox
