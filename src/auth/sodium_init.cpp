#include "chatterbox/auth/sodium_init.hpp"

#include <sodium.h>

#include <stdexcept>

namespace chatterbox {

void ensure_sodium() {
  // A function-local static gives a race-free one-time init; if sodium_init() fails the
  // exception escapes the initialiser, so the next call retries instead of caching a failure.
  static const bool initialised = [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
    return true;
  }();
  (void)initialised;
}

}  // namespace chatterbox
