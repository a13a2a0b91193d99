#include "chatterbox/http/trusted_proxies.hpp"

#include <algorithm>

namespace chatterbox {
namespace {

namespace ip = boost::asio::ip;

// Boost reads the prefix length with atoi, which wraps a long digit string into a small number
// ("/4294967304" would become /8); so it only ever sees 1-3 digits without a leading zero.
bool plausible_prefix(std::string_view digits) {
  return !digits.empty() && digits.size() <= 3 &&
         std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
         (digits.size() == 1 || digits.front() != '0');
}

// Characters an IP literal may have. Checked before Boost sees the text: it would stop at a NUL
// and it resolves a "%zone" suffix by interface name.
bool address_chars(std::string_view text) {
  return !text.empty() &&
         text.find_first_not_of("0123456789abcdefABCDEF.:") == std::string_view::npos;
}

}  // namespace

ip::address normalize_address(const ip::address& address) {
  if (!address.is_v6()) return address;
  auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, v6);
  v6.scope_id(0);
  return v6;
}

std::optional<std::string> trusted_proxies::add(std::string_view cidr) {
  const auto refused = [&] {
    return "expected an IPv4 or IPv6 address or network (CIDR, e.g. 10.0.0.0/8 or fd00::/8), got "
           "'" +
           std::string(cidr) + "'";
  };
  const auto slash = cidr.find('/');
  const auto address_text = cidr.substr(0, slash);
  if (!address_chars(address_text)) return refused();
  boost::system::error_code ec;
  const auto address = ip::make_address(std::string(address_text), ec);
  if (ec) return refused();

  unsigned prefix = address.is_v4() ? 32 : 128;
  if (slash != std::string_view::npos) {
    const auto digits = cidr.substr(slash + 1);
    if (!plausible_prefix(digits)) return refused();
    prefix = static_cast<unsigned>(std::stoul(std::string(digits)));
    if (prefix > (address.is_v4() ? 32u : 128u)) return refused();
  }

  if (address.is_v6() && address.to_v6().is_v4_mapped() && prefix < 96) {
    // Addresses are matched in their IPv4 form, which such a network could only partly cover.
    const std::string why =
        "an IPv4-mapped network needs a prefix of at least 96 (better: "
        "write the IPv4 network), got '";
    return why + std::string(cidr) + "'";
  }
  if (address.is_v4()) {
    v4_.push_back(ip::network_v4(address.to_v4(), static_cast<unsigned short>(prefix)).canonical());
  } else if (address.to_v6().is_v4_mapped() && prefix >= 96) {
    const auto v4 = ip::make_address_v4(ip::v4_mapped, address.to_v6());
    v4_.push_back(ip::network_v4(v4, static_cast<unsigned short>(prefix - 96)).canonical());
  } else {
    auto v6 = address.to_v6();
    v6.scope_id(0);
    v6_.push_back(ip::network_v6(v6, static_cast<unsigned short>(prefix)).canonical());
  }
  return std::nullopt;
}

bool trusted_proxies::contains(const ip::address& address) const {
  const auto normal = normalize_address(address);
  if (normal.is_v4()) {
    const auto v4 = normal.to_v4();
    return std::any_of(v4_.begin(), v4_.end(), [&](const ip::network_v4& net) {
      return ip::network_v4(v4, net.prefix_length()).canonical() == net;
    });
  }
  const auto v6 = normal.to_v6();
  return std::any_of(v6_.begin(), v6_.end(), [&](const ip::network_v6& net) {
    return ip::network_v6(v6, net.prefix_length()).canonical() == net;
  });
}

}  // namespace chatterbox
