#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatterbox {

// The networks of the reverse proxies whose forwarding headers are believed (--trusted-proxy).
// Pure: parsing and matching only.
class trusted_proxies {
 public:
  // Adds "10.0.0.0/8", "2001:db8::/32" or a bare address (one host: /32 or /128). Returns why
  // the text was refused, or nullopt once it is added. Host bits below the prefix are ignored.
  // IPv4 networks match IPv4 addresses and IPv6 networks IPv6 ones; an IPv4-mapped IPv6 network
  // (::ffff:10.0.0.0/104) is stored as the IPv4 network (10.0.0.0/8), since addresses are
  // compared in their IPv4 form, and one with a prefix under 96 is refused.
  std::optional<std::string> add(std::string_view cidr);

  // Whether `address` (IPv4-mapped IPv6 counts as IPv4) lies in one of the networks.
  bool contains(const boost::asio::ip::address& address) const;
  bool empty() const { return v4_.empty() && v6_.empty(); }

 private:
  std::vector<boost::asio::ip::network_v4> v4_;
  std::vector<boost::asio::ip::network_v6> v6_;
};

// The address with an IPv4-mapped IPv6 address (::ffff:a.b.c.d) turned into IPv4 a.b.c.d and any
// IPv6 zone id dropped: a dual-stack socket reports IPv4 peers in the mapped form, and both forms
// must meet the same limits and the same trusted networks.
boost::asio::ip::address normalize_address(const boost::asio::ip::address& address);

}  // namespace chatterbox
