#include "server_metrics.hpp"

#include "http_client.hpp"

#include <sstream>

namespace chatterbox::bench {

std::optional<std::map<std::string, double>> scrape_metrics(const std::string& host,
                                                            std::uint16_t port,
                                                            std::chrono::milliseconds timeout) {
  const http_result r = http_call(host, port, "/metrics", "", timeout);
  if (r.status != 200) return std::nullopt;
  std::map<std::string, double> samples;
  std::istringstream lines(r.body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#' || line.find('{') != std::string::npos) continue;
    const auto space = line.find(' ');
    if (space == std::string::npos) continue;
    try {
      samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
    } catch (...) {
    }
  }
  return samples;
}

}  // namespace chatterbox::bench
