#pragma once

#include <boost/asio/ip/address.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatterbox {

// One hop of a forwarding chain as a proxy recorded it (RFC 7239 section 6 "node"; the same forms
// appear in X-Forwarded-For). Ports are read and dropped: the client is an address, not a socket.
struct forwarded_node {
  enum class kind {
    address,     // an IPv4 or IPv6 address
    unknown,     // "unknown": the proxy does not know or will not say
    obfuscated,  // "_token": an identifier the proxy chose instead of the address
    invalid,     // anything else
  };
  kind type = kind::invalid;
  boost::asio::ip::address address;  // set when type == address

  bool is_address() const { return type == kind::address; }
};

// One element of a Forwarded header: what one proxy said about the request it received.
struct forwarded_element {
  forwarded_node for_node;  // kind::unknown when the element has no for= parameter
  std::string proto;        // lower case; empty when the element has no proto= parameter
};

// A node: a.b.c.d, a.b.c.d:port, [v6], [v6]:port, unknown or _obfuscated (with an optional port
// or _obfuscated port). A bare IPv6 address without brackets is accepted too, as X-Forwarded-For
// writes it. Never throws; whatever does not fit is kind::invalid.
forwarded_node parse_forwarded_node(std::string_view text);

// The elements of a Forwarded header in order (several header lines joined with ","), or
// nullopt when the text does not follow RFC 7239's grammar (a pair without "=", an unterminated
// quoted string, a parameter given twice in one element ...). Parameter names are
// case-insensitive, values may be quoted, unknown parameters are skipped.
std::optional<std::vector<forwarded_element>> parse_forwarded(std::string_view header);

// The nodes of an X-Forwarded-For header in order (several lines joined with ","). Empty
// list items are skipped; each item is parse_forwarded_node's to judge.
std::vector<forwarded_node> parse_x_forwarded_for(std::string_view header);

// The first value of an X-Forwarded-Proto header in lower case ("https"), or "" when there is
// none. The first is the one the client-facing proxy wrote when proxies append to the list.
std::string first_forwarded_proto(std::string_view header);

}  // namespace chatterbox
