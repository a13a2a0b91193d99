#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace chatterbox {

// 32 random bytes from libsodium, unpadded base64url (43 characters).
std::string generate_token();
// Lowercase hex SHA-256 of the token: the only form that is stored or compared.
std::string token_digest(std::string_view token);
// A plausible token: exactly 43 base64url characters. Anything else is rejected unhashed.
bool well_formed_token(std::string_view token);

// The value of cookie `name` in a Cookie header, if present.
std::optional<std::string_view> find_cookie(std::string_view cookie_header, std::string_view name);
// The token of an "Authorization: Bearer <token>" header value, if that is its form.
std::optional<std::string_view> bearer_token(std::string_view authorization_header);

}  // namespace chatterbox
