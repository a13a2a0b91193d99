#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace chatterbox::bench {

struct login_result {
  bool ok = false;
  std::string token;  // valid when ok
  std::string error;  // why not, when !ok
};

// POST /api/login (creates unknown users) on its own io_context, bounded by `timeout`; retries
// `503 busy` a few times. Setup only: never on the measured path.
login_result login(const std::string& host, std::uint16_t port, const std::string& username,
                   const std::string& password, std::chrono::milliseconds timeout);

}  // namespace chatterbox::bench
