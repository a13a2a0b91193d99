#include "chatterbox/auth/credentials.hpp"

#include <algorithm>

namespace chatterbox {

namespace {

// Deliberately ASCII-only and locale-independent: usernames are shown to other users, so
// look-alike Unicode names and locale-dependent isalnum() are both ruled out.
bool username_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

}  // namespace

bool valid_username(std::string_view username) {
  return !username.empty() && username.size() <= 32 &&
         std::all_of(username.begin(), username.end(), username_char);
}

bool valid_password(std::string_view password) {
  // Bytes, not characters: the upper bound exists to cap argon2 input, not to judge content.
  return password.size() >= 8 && password.size() <= 128;
}

}  // namespace chatterbox
