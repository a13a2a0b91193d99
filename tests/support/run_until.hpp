#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>

namespace chatterbox::test_support {

// Runs `io` in short slices until `done()` holds or `bound` has passed; false when the bound came
// first. For tests that drive the event loop themselves (the Redis and PostgreSQL connections).
template <typename Done>
bool run_until(boost::asio::io_context& io, Done done,
               std::chrono::milliseconds bound = std::chrono::milliseconds(10000)) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace chatterbox::test_support
