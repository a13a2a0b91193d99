#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chatterbox {

// Where a plain-HTTP request is sent on HTTPS. Pure: no sockets.
//
// The host is the one the client asked for (its Host header) and nothing else: a name or an
// IPv4 address of ordinary characters, or a bracketed IPv6 literal, with any port dropped — the
// HTTPS port is ours. A missing or malformed Host yields nullopt (answered 400), so the
// redirect can never be steered somewhere the request did not name. With a --public-url the
// host is always the public one. A target that is not a path (absolute-form, "*") becomes "/".
struct https_redirect_target {
  std::optional<std::string> public_origin;  // "https://chat.example.com" (no path), if given
  std::uint16_t https_port = 443;            // left out of the URL when 443
};

std::optional<std::string> https_location(const https_redirect_target& to, std::string_view host,
                                          std::string_view target);

// The Host header's host alone, validated as above; nullopt if it is not one.
std::optional<std::string_view> host_without_port(std::string_view host);

}  // namespace chatterbox
