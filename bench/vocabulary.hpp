#pragma once

#include <cstddef>
#include <random>
#include <string>
#include <vector>

namespace chatterbox::bench {

// Words for seeded messages and search queries: a fixed vocabulary whose word of rank r occurs
// with probability proportional to 1/(r+1) (Zipf, like the words of real text), so a two-word
// search can match thousands of messages or none. The same for every run (no seed from time).
class vocabulary {
 public:
  explicit vocabulary(std::size_t size = 10000);

  const std::string& word(std::size_t rank) const { return words_[rank]; }
  std::size_t size() const { return words_.size(); }
  // A rank drawn by word frequency.
  std::size_t sample(std::mt19937_64& random) const;
  // `count` words drawn by frequency, separated by spaces.
  std::string sentence(std::mt19937_64& random, std::size_t count) const;

 private:
  std::vector<std::string> words_;
  std::vector<double> cumulative_;
};

}  // namespace chatterbox::bench
