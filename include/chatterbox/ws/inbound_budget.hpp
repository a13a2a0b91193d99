#pragma once

#include <chrono>
#include <cstddef>

namespace chatterbox::ws {

// How much one connection may make the server read and handle per second: frames and bytes,
// each a token bucket holding one second's worth. Reading goes into debt (a read's size is
// known only after it); while either bucket is in debt the connection is not read at all, so
// the client's own TCP window pushes back and every other connection gets its turns.
// Pure logic on a caller-given clock.
class inbound_budget {
 public:
  using clock = std::chrono::steady_clock;

  inbound_budget(double frames_per_second, double bytes_per_second, clock::time_point now);

  void spend(std::size_t frames, std::size_t bytes, clock::time_point now);
  // Zero when reading may go on, else how long until both buckets are out of debt.
  std::chrono::milliseconds wait(clock::time_point now);

 private:
  void refill(clock::time_point now);

  float frames_per_second_;
  float bytes_per_second_;
  float frames_;
  float bytes_;
  clock::time_point updated_;
};

}  // namespace chatterbox::ws
