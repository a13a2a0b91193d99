#include "chatterbox/http/session_cookie.hpp"

namespace chatterbox {

std::string session_cookie(std::string_view name, std::string_view token,
                           std::chrono::seconds max_age, bool secure) {
  return std::string(name) + "=" + std::string(token) + (secure ? "; Secure" : "") +
         "; HttpOnly; SameSite=Strict; Path=/; Max-Age=" + std::to_string(max_age.count());
}

}  // namespace chatterbox
