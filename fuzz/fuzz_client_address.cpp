// libFuzzer harness: who a request is from. The input is split at NUL bytes into up to four
// parts — Forwarded, X-Forwarded-For, X-Forwarded-Proto and a --trusted-proxy CIDR — so each
// parser sees arbitrary text and the resolver sees arbitrary combinations. Asserts the promises
// the rest of the server relies on (docs/protocol.md, "Behind a reverse proxy").
#include "chatterbox/http/client_address.hpp"
#include "chatterbox/http/forwarded_header.hpp"
#include "chatterbox/http/trusted_proxies.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace chatterbox;
namespace ip = boost::asio::ip;

void require(bool condition) {
  if (!condition) std::abort();
}

std::size_t count(std::string_view text, char c) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), c));
}

// An address node is a real address: no zone id, and its text form reads back to itself.
void check_node(const forwarded_node& node) {
  if (!node.is_address()) return;
  if (node.address.is_v6()) require(node.address.to_v6().scope_id() == 0);
  boost::system::error_code ec;
  require(ip::make_address(node.address.to_string(), ec) == node.address && !ec);
}

void check_key(const client_address& client) {
  if (client.address == "unknown") return;
  boost::system::error_code ec;
  const auto address = ip::make_address(client.address, ec);
  require(!ec);
  require(client.key == address_key(address));
  // IPv4 as is, IPv6 by its /64; never an IPv4-mapped IPv6 form.
  if (address.is_v4()) {
    require(client.key == client.address);
  } else {
    require(!address.to_v6().is_v4_mapped());
    require(client.key.ends_with("/64"));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> parts;
  for (std::string_view rest = input;;) {
    const auto nul = rest.find('\0');
    if (nul == std::string_view::npos || parts.size() == 3) {
      parts.push_back(rest);
      break;
    }
    parts.push_back(rest.substr(0, nul));
    rest.remove_prefix(nul + 1);
  }
  parts.resize(4);
  const auto forwarded = parts[0];
  const auto x_forwarded_for = parts[1];
  const auto x_forwarded_proto = parts[2];
  const auto cidr = parts[3];

  // The parsers, on their own.
  check_node(parse_forwarded_node(input));
  std::vector<ip::address> named;  // every address any header names
  if (const auto elements = parse_forwarded(forwarded)) {
    require(elements->size() <= count(forwarded, ',') + 1);
    for (const auto& element : *elements) {
      check_node(element.for_node);
      require(std::none_of(element.proto.begin(), element.proto.end(),
                           [](char c) { return c >= 'A' && c <= 'Z'; }));
      if (element.for_node.is_address()) named.push_back(normalize_address(element.for_node.address));
    }
  }
  const auto nodes = parse_x_forwarded_for(x_forwarded_for);
  require(nodes.size() <= count(x_forwarded_for, ',') + 1);
  for (const auto& node : nodes) {
    check_node(node);
    if (node.is_address()) named.push_back(normalize_address(node.address));
  }
  const auto proto = first_forwarded_proto(x_forwarded_proto);
  require(proto.size() <= x_forwarded_proto.size());

  // CIDR: refused, or the network contains the address it was written with.
  trusted_proxies proxies;
  if (!proxies.add(cidr)) {
    const auto address = ip::make_address(std::string(cidr.substr(0, cidr.find('/'))));
    require(proxies.contains(address));
    require(!proxies.empty());
  } else {
    require(proxies.empty());
  }
  (void)proxies.add("127.0.0.0/8");

  // The resolver: headers are read only from a trusted peer, and the client it names is the
  // peer itself or an address one of the headers named.
  const forwarding_headers headers{forwarded, x_forwarded_for, x_forwarded_proto};
  const client_address_resolver resolver(proxies, false);
  const auto untrusted_peer = ip::make_address("203.0.113.9");
  if (!proxies.contains(untrusted_peer)) {
    const auto direct = resolver.resolve(untrusted_peer, headers);
    require(direct.address == "203.0.113.9" && !direct.https);
  }
  const auto peer = ip::make_address("127.0.0.1");
  const auto client = resolver.resolve(peer, headers);
  check_key(client);
  const auto address = ip::make_address(client.address);
  require(address == peer || std::find(named.begin(), named.end(), address) != named.end());
  check_key(resolver.resolve(std::nullopt, headers));
  check_key(client_address_resolver(proxies, true).resolve(ip::make_address("::ffff:127.0.0.1"),
                                                           headers));
  return 0;
}
