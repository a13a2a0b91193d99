#include "chatterbox/http/forwarded_header.hpp"

#include "chatterbox/text/ascii.hpp"

#include <algorithm>
#include <utility>

namespace chatterbox {
namespace {

namespace ip = boost::asio::ip;

using ascii::iequals;
using ascii::lowered;
using ascii::is_ows;
using ascii::trim;


bool digit(char c) { return c >= '0' && c <= '9'; }
bool alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// RFC 7230 tchar: what a parameter name (and an unquoted value) is made of.
bool tchar(char c) {
  return alpha(c) || digit(c) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// obfnode / obfport: "_" 1*( ALPHA / DIGIT / "." / "_" / "-" )
bool obfuscated(std::string_view s) {
  return s.size() >= 2 && s.front() == '_' && std::all_of(s.begin() + 1, s.end(), [](char c) {
           return alpha(c) || digit(c) || c == '.' || c == '_' || c == '-';
         });
}

bool valid_port(std::string_view s) {
  if (obfuscated(s)) return true;
  return !s.empty() && s.size() <= 5 && std::all_of(s.begin(), s.end(), digit);
}

// Only the characters of an IP literal reach Boost: it would stop at a NUL, and it resolves a
// "%zone" suffix by looking up a network interface.
std::optional<ip::address> literal(std::string_view text, bool v6) {
  const std::string_view allowed = v6 ? "0123456789abcdefABCDEF.:" : "0123456789.";
  if (text.empty() || text.size() > 45 ||
      text.find_first_not_of(allowed) != std::string_view::npos) {
    return std::nullopt;
  }
  boost::system::error_code ec;
  const auto address = v6 ? ip::address(ip::make_address_v6(std::string(text), ec))
                          : ip::address(ip::make_address_v4(std::string(text), ec));
  if (ec) return std::nullopt;
  return address;
}

forwarded_node address_node(std::optional<ip::address> address) {
  if (!address) return {};
  return {forwarded_node::kind::address, *address};
}

// A value of a forwarded-pair: a token, or a quoted-string with its quoting removed. Advances
// `rest` past it; nullopt when there is none or the quoted-string is not terminated.
std::optional<std::string> read_value(std::string_view& rest) {
  if (rest.empty() || rest.front() != '"') {
    // Lenient about what an unquoted value holds (a proxy that forgets to quote "[::1]:80" is
    // still understood); the node parser decides whether it means anything.
    std::size_t n = 0;
    while (n < rest.size() && rest[n] != ';' && rest[n] != ',' && rest[n] != '"' && !is_ows(rest[n])) {
      ++n;
    }
    if (n == 0) return std::nullopt;  // "for=" has no value at all
    std::string value(rest.substr(0, n));
    rest.remove_prefix(n);
    return value;
  }
  std::string value;
  for (std::size_t i = 1; i < rest.size(); ++i) {
    if (rest[i] == '\\') {
      if (++i == rest.size()) return std::nullopt;
      value += rest[i];
    } else if (rest[i] == '"') {
      rest.remove_prefix(i + 1);
      return value;
    } else {
      value += rest[i];
    }
  }
  return std::nullopt;
}

}  // namespace

forwarded_node parse_forwarded_node(std::string_view text) {
  if (iequals(text, "unknown")) return {forwarded_node::kind::unknown, {}};
  if (text.empty()) return {};
  if (text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return {};
    const auto after = text.substr(close + 1);
    if (!after.empty() && (after.front() != ':' || !valid_port(after.substr(1)))) return {};
    return address_node(literal(text.substr(1, close - 1), true));
  }
  const auto colon = text.find(':');
  if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
    // Two colons or more: a bare IPv6 address (X-Forwarded-For style), no port possible.
    return address_node(literal(text, true));
  }
  const auto name = text.substr(0, colon);
  if (colon != std::string_view::npos && !valid_port(text.substr(colon + 1))) return {};
  if (iequals(name, "unknown")) return {forwarded_node::kind::unknown, {}};
  if (obfuscated(name)) return {forwarded_node::kind::obfuscated, {}};
  return address_node(literal(name, false));
}

std::optional<std::vector<forwarded_element>> parse_forwarded(std::string_view header) {
  std::vector<forwarded_element> elements;
  std::string_view rest = header;
  // One iteration per element; empty list members (", ,") are allowed by the #rule.
  while (true) {
    forwarded_element element;
    bool has_for = false;
    bool has_proto = false;
    bool has_by = false;
    bool has_host = false;
    bool empty = true;
    // One iteration per forwarded-pair; empty pairs (";;") are allowed by the grammar.
    while (true) {
      rest = trim(rest);
      std::size_t n = 0;
      while (n < rest.size() && tchar(rest[n])) ++n;
      if (n > 0) {
        const auto name = rest.substr(0, n);
        rest = trim(rest.substr(n));
        if (rest.empty() || rest.front() != '=') return std::nullopt;
        rest = trim(rest.substr(1));
        const auto value = read_value(rest);
        if (!value) return std::nullopt;
        empty = false;
        // "Each parameter MUST NOT occur more than once per forwarded-element" (RFC 7239 4).
        const auto once = [](bool& seen) { return !std::exchange(seen, true); };
        if (iequals(name, "for")) {
          if (!once(has_for)) return std::nullopt;
          element.for_node = parse_forwarded_node(*value);
        } else if (iequals(name, "proto")) {
          if (!once(has_proto)) return std::nullopt;
          element.proto = lowered(*value);
        } else if (iequals(name, "by")) {
          if (!once(has_by)) return std::nullopt;
        } else if (iequals(name, "host")) {
          if (!once(has_host)) return std::nullopt;
        }
        rest = trim(rest);
      }
      if (rest.empty() || rest.front() == ',') break;
      if (rest.front() != ';') return std::nullopt;
      rest.remove_prefix(1);
    }
    if (!has_for) element.for_node.type = forwarded_node::kind::unknown;
    if (!empty) elements.push_back(std::move(element));
    if (rest.empty()) return elements;
    rest.remove_prefix(1);  // the ','
  }
}

std::vector<forwarded_node> parse_x_forwarded_for(std::string_view header) {
  std::vector<forwarded_node> nodes;
  while (true) {
    const auto comma = header.find(',');
    const auto item = trim(header.substr(0, comma));
    if (!item.empty()) nodes.push_back(parse_forwarded_node(item));
    if (comma == std::string_view::npos) return nodes;
    header.remove_prefix(comma + 1);
  }
}

std::string first_forwarded_proto(std::string_view header) {
  while (true) {
    const auto comma = header.find(',');
    const auto item = trim(header.substr(0, comma));
    if (!item.empty()) return lowered(item);
    if (comma == std::string_view::npos) return {};
    header.remove_prefix(comma + 1);
  }
}

}  // namespace chatterbox
