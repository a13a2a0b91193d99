#include "chatterbox/http/https_redirect.hpp"

#include <algorithm>

namespace chatterbox {
namespace {

constexpr std::size_t max_host = 253;

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.';
}

bool ipv6_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
         c == '.';
}

bool all_digits(std::string_view s) {
  return !s.empty() && s.size() <= 5 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<std::string_view> host_without_port(std::string_view host) {
  if (host.empty()) return std::nullopt;
  std::string_view name;
  std::string_view rest;
  if (host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string_view::npos || close < 3) return std::nullopt;
    name = host.substr(0, close + 1);
    if (!std::all_of(name.begin() + 1, name.end() - 1, ipv6_char)) return std::nullopt;
    rest = host.substr(close + 1);
  } else {
    const auto colon = host.find(':');
    name = host.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view{} : host.substr(colon);
    if (name.empty() || !std::all_of(name.begin(), name.end(), name_char)) return std::nullopt;
    if (name.front() == '.' || name.front() == '-') return std::nullopt;
  }
  if (name.size() > max_host) return std::nullopt;
  if (!rest.empty() && (rest.front() != ':' || !all_digits(rest.substr(1)))) return std::nullopt;
  return name;
}

std::optional<std::string> https_location(const https_redirect_target& to, std::string_view host,
                                          std::string_view target) {
  // Only origin-form targets are kept; anything else could smuggle another authority in.
  if (target.empty() || target.front() != '/') target = "/";
  std::string location;
  if (to.public_origin) {
    location = *to.public_origin;
  } else {
    const auto name = host_without_port(host);
    if (!name) return std::nullopt;
    location.append("https://").append(*name);
    if (to.https_port != 443) location.append(":").append(std::to_string(to.https_port));
  }
  location.append(target);
  return location;
}

}  // namespace chatterbox
