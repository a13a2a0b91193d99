#include "chatterbox/http/client_address.hpp"

#include "chatterbox/http/forwarded_header.hpp"

#include <boost/asio/ip/network_v6.hpp>

#include <vector>

namespace chatterbox {
namespace {

namespace ip = boost::asio::ip;

bool blank(std::string_view s) { return s.find_first_not_of(" \t") == std::string_view::npos; }

// Where a walk over a forwarding chain stopped.
struct walk_result {
  ip::address client;
  std::optional<std::size_t> index;  // the hop that named the client; nullopt for an empty chain
};

// Walks the hops from the right (nearest the server). Each hop was written by the proxy to its
// right, which is trusted as long as every hop so far was a trusted proxy's address: the first
// address that is not is the client. A hop that names nobody (unknown, obfuscated, garbage) ends
// the walk at the last trusted hop, since nothing to its left can be vouched for.
template <typename Hops, typename NodeOf>
walk_result walk(const ip::address& peer, const Hops& hops, NodeOf node_of,
                 const trusted_proxies& proxies) {
  walk_result result{peer, std::nullopt};
  for (std::size_t i = hops.size(); i-- > 0;) {
    const forwarded_node& node = node_of(hops[i]);
    result.index = i;
    if (!node.is_address()) return result;
    result.client = normalize_address(node.address);
    if (!proxies.contains(result.client)) return result;
  }
  return result;
}

}  // namespace

std::string address_key(const ip::address& address) {
  const auto normal = normalize_address(address);
  if (normal.is_v4()) return normal.to_string();
  return ip::network_v6(normal.to_v6(), 64).canonical().to_string();
}

client_address client_address_resolver::resolve(const std::optional<ip::address>& peer,
                                                const forwarding_headers& headers) const {
  if (!peer) return {"unknown", "unknown", always_https_};
  ip::address client = normalize_address(*peer);
  bool https = always_https_;

  // Headers from anyone but a trusted proxy are the client's own words: ignored.
  if (proxies_.contains(client)) {
    const bool has_forwarded = !blank(headers.forwarded);
    const bool has_xff = !blank(headers.x_forwarded_for);
    bool usable = true;
    std::optional<ip::address> by_forwarded;
    std::optional<ip::address> by_xff;
    std::string proto;

    if (has_forwarded) {
      if (const auto elements = parse_forwarded(headers.forwarded)) {
        const auto found = walk(
            client, *elements,
            [](const forwarded_element& e) -> const forwarded_node& { return e.for_node; },
            proxies_);
        by_forwarded = found.client;
        if (found.index) proto = (*elements)[*found.index].proto;
      } else {
        usable = false;  // malformed: a client's fragment may have swallowed the proxy's part
      }
    }
    if (has_xff) {
      const auto nodes = parse_x_forwarded_for(headers.x_forwarded_for);
      by_xff = walk(
                   client, nodes,
                   [](const forwarded_node& n) -> const forwarded_node& { return n; }, proxies_)
                   .client;
    }
    // A proxy manages one of the two headers and passes the other through from the client, so
    // two different answers mean one of them is made up: believe neither.
    if (by_forwarded && by_xff && *by_forwarded != *by_xff) usable = false;
    if (usable) {
      if (by_forwarded) {
        client = *by_forwarded;
      } else if (by_xff) {
        client = *by_xff;
      }
    }
    if (proto.empty() || !usable) proto = first_forwarded_proto(headers.x_forwarded_proto);
    // A forged proto only changes the cookie its sender gets back, so it is believed as it is.
    https = https || proto == "https";
  }
  return {client.to_string(), address_key(client), https};
}

}  // namespace chatterbox
