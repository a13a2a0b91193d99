#include "chatterbox/ws/inbound_budget.hpp"

#include <algorithm>
#include <cmath>

namespace chatterbox::ws {

// float, not double: this lives in every connection, and a budget needs no more precision.
inbound_budget::inbound_budget(double frames_per_second, double bytes_per_second,
                               clock::time_point now)
    : frames_per_second_(static_cast<float>(frames_per_second)),
      bytes_per_second_(static_cast<float>(bytes_per_second)),
      frames_(frames_per_second_),
      bytes_(bytes_per_second_),
      updated_(now) {}

void inbound_budget::refill(clock::time_point now) {
  if (now <= updated_) return;
  const auto elapsed = std::chrono::duration<float>(now - updated_).count();
  frames_ = std::min(frames_per_second_, frames_ + elapsed * frames_per_second_);
  bytes_ = std::min(bytes_per_second_, bytes_ + elapsed * bytes_per_second_);
  updated_ = now;
}

void inbound_budget::spend(std::size_t frames, std::size_t bytes, clock::time_point now) {
  refill(now);
  frames_ -= static_cast<float>(frames);
  bytes_ -= static_cast<float>(bytes);
}

std::chrono::milliseconds inbound_budget::wait(clock::time_point now) {
  refill(now);
  const float seconds = std::max(frames_ < 0 ? -frames_ / frames_per_second_ : 0.0f,
                                 bytes_ < 0 ? -bytes_ / bytes_per_second_ : 0.0f);
  return std::chrono::milliseconds(static_cast<long long>(std::ceil(seconds * 1000.0f)));
}

}  // namespace chatterbox::ws
