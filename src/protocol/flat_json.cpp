#include "chatterbox/protocol/flat_json.hpp"

#include "chatterbox/protocol/flat_json_fast_reader.hpp"
#include "chatterbox/protocol/flat_json_sax_reader.hpp"

namespace chatterbox {

flat_json_result parse_flat_object(std::string_view text) {
  flat_json_result result;
  if (const auto status = read_flat_object_fast(text, result.object)) {
    result.status = *status;
  } else {
    // At most one extra pass over the frame, and that pass stops at the same limits.
    result.status = read_flat_object_sax(text, result.object);
  }
  return result;
}

}  // namespace chatterbox
