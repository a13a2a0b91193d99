#pragma once

#include <chrono>
#include <cstdint>

namespace chatterbox {

// Wall-clock time in epoch milliseconds: the unit of every stored and sent timestamp.
inline std::int64_t epoch_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace chatterbox
