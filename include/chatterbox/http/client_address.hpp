#pragma once

#include "chatterbox/http/trusted_proxies.hpp"

#include <boost/asio/ip/address.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace chatterbox {

// Who sent a request, as far as the server can tell: the socket's peer, or the client a trusted
// proxy names.
struct client_address {
  std::string address;  // for logs: "203.0.113.7", "2001:db8::1", or "unknown"
  std::string key;      // for limits: IPv4 as is, IPv6 by its /64 (one subscriber's network)
  bool https = false;   // the browser reached us over HTTPS (so cookies can be Secure)
};

// The key limits count an address under. An IPv6 subscriber is usually given a whole /64 and
// can pick any address in it, so counting the full address would hand out 2^64 budgets.
std::string address_key(const boost::asio::ip::address& address);

// The forwarding headers of one request, each with all its lines joined by ","; empty = absent.
struct forwarding_headers {
  std::string_view forwarded;
  std::string_view x_forwarded_for;
  std::string_view x_forwarded_proto;
};

// Decides a request's client_address from its socket peer and forwarding headers; the rules are
// in docs/protocol.md ("Behind a reverse proxy"). Pure: no sockets, no clock.
class client_address_resolver {
 public:
  // `always_https`: the server is published at an https:// URL (--public-url), so every request
  // reached it over HTTPS whatever the headers say.
  client_address_resolver(trusted_proxies proxies, bool always_https)
      : proxies_(std::move(proxies)), always_https_(always_https) {}

  // `peer` is nullopt when the socket could not tell (it was already closed).
  client_address resolve(const std::optional<boost::asio::ip::address>& peer,
                         const forwarding_headers& headers) const;

 private:
  trusted_proxies proxies_;
  bool always_https_;
};

}  // namespace chatterbox
