#include "chatterbox/limits/rate_limiter.hpp"

namespace chatterbox {

rate_limiter::decision rate_limiter::take(const std::string& key, clock::time_point now) {
  // Amortised cleanup: every so often drop the buckets that carry no state any more.
  if (++takes_since_sweep_ >= 1024 || buckets_.size() >= max_keys_) sweep(now);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) {
      // Still full after sweeping: refuse rather than grow (a flood of distinct keys).
      return {false, std::chrono::milliseconds(1000)};
    }
    it = buckets_.emplace(key, token_bucket(rate_, burst_, now)).first;
  }
  if (it->second.try_take(now)) return {true, std::chrono::milliseconds(0)};
  return {false, it->second.time_until_token(now)};
}

void rate_limiter::sweep(clock::time_point now) {
  takes_since_sweep_ = 0;
  std::erase_if(buckets_, [now](auto& entry) { return entry.second.full(now); });
}

}  // namespace chatterbox
