#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chatterbox {

// Where a Redis server is, from `--bus redis://[[user]:password@]host[:port][/db]`.
struct redis_endpoint {
  std::string host{};  // a name, an IPv4 address or an IPv6 address (without brackets)
  std::uint16_t port = 6379;
  std::string user{};    // empty: the default user (AUTH with the password alone)
  std::string password{};  // empty: no AUTH
  int database = 0;      // SELECTed after connecting when not 0

  // The URL without the password, for logs and errors.
  std::string display() const;
};

// nullopt, with the reason in `why`, when `url` is not a redis:// URL this server understands.
// Percent-escapes in the user and password are decoded (a password may contain '@' or ':').
std::optional<redis_endpoint> parse_redis_url(std::string_view url, std::string& why);

}  // namespace chatterbox
