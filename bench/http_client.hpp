#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace chatterbox::bench {

struct http_result {
  unsigned status = 0;  // 0 when the request failed before a response
  std::string body;
  std::string error;
};

// One HTTP/1.1 request on a fresh connection and its own io_context, bounded by `timeout`.
// Setup and scraping only: never on the measured path. `body` non-empty means a JSON POST.
http_result http_call(const std::string& host, std::uint16_t port, const std::string& target,
                      const std::string& body, std::chrono::milliseconds timeout);

}  // namespace chatterbox::bench
