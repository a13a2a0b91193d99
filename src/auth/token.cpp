#include "chatterbox/auth/token.hpp"

#include "chatterbox/auth/sodium_init.hpp"
#include "chatterbox/text/ascii.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>

namespace chatterbox {

namespace {

constexpr std::size_t token_bytes = 32;
constexpr std::size_t token_chars = 43;  // ceil(32 * 8 / 6), no padding

bool base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

std::string generate_token() {
  ensure_sodium();
  std::array<unsigned char, token_bytes> raw;
  randombytes_buf(raw.data(), raw.size());
  constexpr auto variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::array<char, sodium_base64_ENCODED_LEN(token_bytes, variant)> encoded;
  sodium_bin2base64(encoded.data(), encoded.size(), raw.data(), raw.size(), variant);
  // The raw bytes are the secret itself; do not leave them on the stack.
  sodium_memzero(raw.data(), raw.size());
  return std::string(encoded.data(), token_chars);
}

std::string token_digest(std::string_view token) {
  ensure_sodium();
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest;
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(token.data()),
                     token.size());
  std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex;
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data(), crypto_hash_sha256_BYTES * 2);
}

bool well_formed_token(std::string_view token) {
  return token.size() == token_chars && std::all_of(token.begin(), token.end(), base64url_char);
}

std::optional<std::string_view> find_cookie(std::string_view cookie_header, std::string_view name) {
  if (name.empty()) return std::nullopt;
  while (!cookie_header.empty()) {
    const auto semi = cookie_header.find(';');
    const auto pair = cookie_header.substr(0, semi);
    cookie_header =
        semi == std::string_view::npos ? std::string_view{} : cookie_header.substr(semi + 1);
    const auto eq = pair.find('=');
    // A pair without '=' carries no value for anyone; skip it rather than reject the header,
    // because one malformed cookie from another app on the same host must not log users out.
    if (eq == std::string_view::npos) continue;
    if (ascii::trim(pair.substr(0, eq)) != name) continue;
    auto value = ascii::trim(pair.substr(eq + 1));
    // RFC 6265 allows the value to be wrapped in double quotes, which are not part of it.
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    // The first match wins: browsers send the most specific (longest path) cookie first.
    return value;
  }
  return std::nullopt;
}

std::optional<std::string_view> bearer_token(std::string_view authorization_header) {
  constexpr std::string_view scheme = "Bearer";
  auto rest = ascii::trim(authorization_header);
  if (rest.size() <= scheme.size() || !ascii::iequals(rest.substr(0, scheme.size()), scheme)) {
    return std::nullopt;
  }
  rest.remove_prefix(scheme.size());
  // "Bearerxyz" is a different scheme, not a bearer token.
  if (!ascii::is_ows(rest.front())) return std::nullopt;
  rest = ascii::trim(rest);
  // token68 has no inner whitespace; "Bearer a b" is malformed, not the token "a b".
  if (rest.empty() || std::any_of(rest.begin(), rest.end(), ascii::is_ows)) return std::nullopt;
  return rest;
}

}  // namespace chatterbox
