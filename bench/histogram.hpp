#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <vector>

namespace chatterbox::bench {

// A latency as the histograms record it, and a recorded value as the reports print it.
inline std::uint64_t micros(std::chrono::steady_clock::duration d) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(d).count());
}
inline double ms(std::uint64_t us) { return static_cast<double>(us) / 1000.0; }

// Log-linear latency histogram in microseconds (HDR style): values below 256 µs are exact,
// larger ones land in one of 128 sub-buckets per power of two (under 1 % error). Recording is a
// couple of shifts and an increment, so it stays off the profile of a saturated client.
class histogram {
 public:
  histogram();

  void record(std::uint64_t micros);
  void merge(const histogram& other);

  std::uint64_t count() const { return count_; }
  std::uint64_t max() const { return max_; }
  // The smallest recorded-bucket value v such that at least `fraction` of samples are <= v.
  std::uint64_t percentile(double fraction) const;

 private:
  static constexpr int sub_bits = 7;  // 128 sub-buckets
  static constexpr int max_exponent = 40;
  static std::size_t index_of(std::uint64_t value);
  static std::uint64_t upper_value(std::size_t index);

  std::vector<std::uint64_t> buckets_;
  std::uint64_t count_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace chatterbox::bench
