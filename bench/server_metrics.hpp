#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace chatterbox::bench {

// GET /metrics (Prometheus text, Chatterbox with `--metrics on`): every unlabelled sample as
// name -> value, plus histogram `_count`/`_sum`. nullopt when the server does not serve it, so
// the bench still drives any protocol-v1 server.
std::optional<std::map<std::string, double>> scrape_metrics(const std::string& host,
                                                            std::uint16_t port,
                                                            std::chrono::milliseconds timeout);

}  // namespace chatterbox::bench
