#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace chatterbox {

inline constexpr std::string_view token_cookie = "chatterbox_token";
// The name used over HTTPS: browsers accept a __Host- cookie only when it is Secure, has no
// Domain and has Path=/, so no subdomain or plain-HTTP page can plant or replace it.
inline constexpr std::string_view secure_token_cookie = "__Host-chatterbox_token";

// The Set-Cookie value carrying a login token (an empty token with max_age 0 clears it).
std::string session_cookie(std::string_view name, std::string_view token,
                           std::chrono::seconds max_age, bool secure);

}  // namespace chatterbox
