#pragma once

#include "chatterbox/limits/token_bucket.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>

namespace chatterbox {

// One token bucket per key (a user, a username, a client address). Buckets that have refilled
// completely are forgotten, so the table holds only recently active keys; a hard cap on keys
// refuses new ones rather than grow when a flood cycles through distinct keys.
class rate_limiter {
 public:
  using clock = token_bucket::clock;

  rate_limiter(double rate_per_second, double burst, std::size_t max_keys = 100000)
      : rate_(rate_per_second), burst_(burst), max_keys_(max_keys) {}

  struct decision {
    bool allowed;
    std::chrono::milliseconds retry_after;  // zero when allowed
  };

  decision take(const std::string& key, clock::time_point now = clock::now());
  std::size_t tracked_keys() const { return buckets_.size(); }

 private:
  void sweep(clock::time_point now);

  double rate_;
  double burst_;
  std::size_t max_keys_;
  std::unordered_map<std::string, token_bucket> buckets_;
  std::size_t takes_since_sweep_ = 0;
};

}  // namespace chatterbox
