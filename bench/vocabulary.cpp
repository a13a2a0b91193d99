#include "vocabulary.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace chatterbox::bench {
namespace {

constexpr std::array<std::string_view, 20> syllables = {
    "ba", "ce", "di", "fo", "gu", "ka", "le", "mi", "no", "pu",
    "ra", "se", "ti", "vo", "zu", "ha", "je", "lo", "ne", "wa"};

// Rank r written in base 20 with syllables for digits: distinct words of two syllables or more.
std::string spelled(std::size_t rank) {
  std::string out;
  for (std::size_t n = rank + syllables.size(); n > 0; n /= syllables.size()) {
    out.insert(0, syllables[n % syllables.size()]);
  }
  return out;
}

}  // namespace

vocabulary::vocabulary(std::size_t size) {
  double total = 0;
  for (std::size_t rank = 0; rank < size; ++rank) {
    words_.push_back(spelled(rank));
    total += 1.0 / static_cast<double>(rank + 1);
    cumulative_.push_back(total);
  }
  for (auto& c : cumulative_) c /= total;
}

std::size_t vocabulary::sample(std::mt19937_64& random) const {
  const double u = std::uniform_real_distribution<double>(0.0, 1.0)(random);
  const auto it = std::lower_bound(cumulative_.begin(), cumulative_.end(), u);
  return std::min(static_cast<std::size_t>(it - cumulative_.begin()), words_.size() - 1);
}

std::string vocabulary::sentence(std::mt19937_64& random, std::size_t count) const {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out.push_back(' ');
    out += words_[sample(random)];
  }
  return out;
}

}  // namespace chatterbox::bench
