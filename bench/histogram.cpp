#include "histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace chatterbox::bench {

histogram::histogram() : buckets_(static_cast<std::size_t>(max_exponent + 2) << sub_bits, 0) {}

std::size_t histogram::index_of(std::uint64_t value) {
  constexpr std::uint64_t linear_limit = std::uint64_t{1} << (sub_bits + 1);
  if (value < linear_limit) return static_cast<std::size_t>(value);
  // Bucket group g >= 1 covers [2^(g+sub_bits), 2^(g+sub_bits+1)) in 2^sub_bits steps.
  const int top = std::bit_width(value) - 1;  // >= sub_bits + 1
  const int group = std::min(top - sub_bits, max_exponent);
  const std::uint64_t sub = (value >> group) & ((std::uint64_t{1} << sub_bits) - 1);
  return (static_cast<std::size_t>(group + 1) << sub_bits) + static_cast<std::size_t>(sub);
}

std::uint64_t histogram::upper_value(std::size_t index) {
  constexpr std::size_t linear_limit = std::size_t{1} << (sub_bits + 1);
  if (index < linear_limit) return index;
  const int group = static_cast<int>(index >> sub_bits) - 1;
  const std::uint64_t sub = index & ((std::size_t{1} << sub_bits) - 1);
  const std::uint64_t low = (std::uint64_t{1} << (group + sub_bits)) + (sub << group);
  return low + (std::uint64_t{1} << group) - 1;
}

void histogram::record(std::uint64_t micros) {
  ++buckets_[std::min(index_of(micros), buckets_.size() - 1)];
  ++count_;
  max_ = std::max(max_, micros);
}

void histogram::merge(const histogram& other) {
  for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

std::uint64_t histogram::percentile(double fraction) const {
  if (count_ == 0) return 0;
  const auto wanted = static_cast<std::uint64_t>(std::ceil(fraction * static_cast<double>(count_)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= std::max<std::uint64_t>(wanted, 1)) return std::min(upper_value(i), max_);
  }
  return max_;
}

}  // namespace chatterbox::bench
