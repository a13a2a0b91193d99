#pragma once

#include <string>

namespace chatterbox {

// Sets the default logger's level and format: human-readable text, or one JSON object per line
// ({"time","level","msg"}) for log collectors.
void configure_logging(const std::string& level, bool json);

}  // namespace chatterbox
