#include "chatterbox/bus/redis_endpoint.hpp"

#include "chatterbox/files/file_name.hpp"

#include <charconv>

namespace chatterbox {
namespace {

template <typename Number>
bool parse_number(std::string_view text, Number& value) {
  const auto* end = text.data() + text.size();
  const auto [at, error] = std::from_chars(text.data(), end, value);
  return error == std::errc() && at == end && !text.empty();
}

}  // namespace

std::string redis_endpoint::display() const {
  std::string out = "redis://";
  if (!user.empty() || !password.empty()) out.append(user).append(":***@");
  if (host.find(':') != std::string::npos) {
    out.append("[").append(host).append("]");
  } else {
    out.append(host);
  }
  out.append(":").append(std::to_string(port));
  if (database != 0) out.append("/").append(std::to_string(database));
  return out;
}

std::optional<redis_endpoint> parse_redis_url(std::string_view url, std::string& why) {
  constexpr std::string_view scheme = "redis://";
  if (!url.starts_with(scheme)) {
    why = "a Redis URL starts with redis:// (rediss:// and unix sockets are not supported)";
    return std::nullopt;
  }
  url.remove_prefix(scheme.size());
  redis_endpoint endpoint;

  const auto slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  if (slash != std::string_view::npos) {
    const auto path = url.substr(slash + 1);
    if (!path.empty() && (!parse_number(path, endpoint.database) || endpoint.database < 0)) {
      why = "the database after the host must be a number";
      return std::nullopt;
    }
  }

  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const auto credentials = authority.substr(0, at);
    authority.remove_prefix(at + 1);
    const auto colon = credentials.find(':');
    const auto user = percent_decode(credentials.substr(0, colon), false);
    const auto password = colon == std::string_view::npos
                              ? std::optional<std::string>("")
                              : percent_decode(credentials.substr(colon + 1), false);
    if (!user || !password) {
      why = "a bad percent-escape in the user or password";
      return std::nullopt;
    }
    endpoint.user = *user;
    endpoint.password = *password;
  }

  std::string_view port;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      why = "an IPv6 address in brackets lacks its ']'";
      return std::nullopt;
    }
    endpoint.host = authority.substr(1, close - 1);
    const auto rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') {
        why = "only ':port' may follow an IPv6 address";
        return std::nullopt;
      }
      port = rest.substr(1);
    }
  } else {
    const auto colon = authority.find(':');
    endpoint.host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (endpoint.host.empty()) {
    why = "the URL names no host";
    return std::nullopt;
  }
  if (!port.empty() && (!parse_number(port, endpoint.port) || endpoint.port == 0)) {
    why = "the port must be a number from 1 to 65535";
    return std::nullopt;
  }
  return endpoint;
}

}  // namespace chatterbox
