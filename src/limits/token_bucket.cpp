#include "chatterbox/limits/token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace chatterbox {

void token_bucket::refill(clock::time_point now) {
  if (now <= updated_) return;
  const std::chrono::duration<double> elapsed = now - updated_;
  tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
  updated_ = now;
}

bool token_bucket::try_take(clock::time_point now) {
  refill(now);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

std::chrono::milliseconds token_bucket::time_until_token(clock::time_point now) {
  refill(now);
  if (tokens_ >= 1.0) return std::chrono::milliseconds(0);
  const double seconds = (1.0 - tokens_) / rate_;
  return std::chrono::milliseconds(static_cast<long long>(std::ceil(seconds * 1000.0)));
}

bool token_bucket::full(clock::time_point now) const {
  const std::chrono::duration<double> elapsed = now > updated_ ? now - updated_ : clock::duration{};
  return tokens_ + elapsed.count() * rate_ >= burst_;
}

}  // namespace chatterbox
