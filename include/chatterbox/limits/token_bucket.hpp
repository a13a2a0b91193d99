#pragma once

#include <chrono>

namespace chatterbox {

// Classic token bucket: `rate` tokens per second up to `burst`. Pure logic on a caller-given
// clock, so tests need no waiting.
class token_bucket {
 public:
  using clock = std::chrono::steady_clock;

  token_bucket(double rate_per_second, double burst, clock::time_point now)
      : rate_(rate_per_second), burst_(burst), tokens_(burst), updated_(now) {}

  // Takes one token if there is one.
  bool try_take(clock::time_point now);
  // How long until a token is available (zero when one is).
  std::chrono::milliseconds time_until_token(clock::time_point now);
  // True once the bucket has refilled completely: its state carries no information any more,
  // so a table of buckets may drop it.
  bool full(clock::time_point now) const;

 private:
  void refill(clock::time_point now);

  double rate_;
  double burst_;
  double tokens_;
  clock::time_point updated_;
};

}  // namespace chatterbox
