#pragma once

#include <chrono>
#include <cstddef>

namespace chatterbox {

// Lets one line through per interval and counts the rest, for errors that repeat as fast as
// clients retry (a full database refuses every write): the log says what happens and how
// often, instead of drowning everything else.
class log_throttle {
 public:
  using clock = std::chrono::steady_clock;

  explicit log_throttle(clock::duration interval = std::chrono::seconds(1)) : interval_(interval) {}

  // True when this occurrence should be logged; `suppressed` is then how many were not since
  // the last logged one.
  bool admit(std::size_t& suppressed, clock::time_point now = clock::now()) {
    if (logged_once_ && now - last_ < interval_) {
      ++suppressed_;
      return false;
    }
    logged_once_ = true;
    last_ = now;
    suppressed = suppressed_;
    suppressed_ = 0;
    return true;
  }

 private:
  clock::duration interval_;
  clock::time_point last_{};
  std::size_t suppressed_ = 0;
  bool logged_once_ = false;
};

}  // namespace chatterbox
