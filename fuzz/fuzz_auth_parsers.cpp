// libFuzzer harness: the login/cookie/token parsers. The input is split at its first NUL byte
// into (cookie name, header value) so both sides of find_cookie are explored; the whole input
// also goes through the Authorization parser, the credential rules and the login body rules.
#include "chatterbox/auth/credentials.hpp"
#include "chatterbox/auth/token.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace chatterbox;

void require(bool condition) {
  if (!condition) std::abort();
}

// A parser result must point into the header it was parsed from: the handler keeps using it as
// a view, so a view into anything else would dangle.
void require_inside(std::string_view part, std::string_view whole) {
  require(part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

void check_token(std::string_view token) {
  if (!well_formed_token(token)) return;
  require(token.size() == 43);
  const auto digest = token_digest(token);
  require(digest.size() == 64);
  require(digest.find_first_not_of("0123456789abcdef") == std::string::npos);
}

// The same field extraction request_handler::login does on a POST /api/login body.
void check_login_body(std::string_view body) {
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return;
  const auto field = [&](const char* name) {
    const auto value = json.value(name, nlohmann::json());
    return value.is_string() ? value.get<std::string>() : std::string();
  };
  const auto username = field("username");
  const auto password = field("password");
  if (valid_username(username)) require(!username.empty() && username.size() <= 32);
  if (valid_password(password)) require(password.size() >= 8 && password.size() <= 128);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  const auto nul = input.find('\0');
  const auto name = nul == std::string_view::npos ? std::string_view("chatterbox_token")
                                                  : input.substr(0, nul);
  const auto header = nul == std::string_view::npos ? input : input.substr(nul + 1);
  if (auto cookie = find_cookie(header, name)) {
    require_inside(*cookie, header);
    check_token(*cookie);
  }
  if (auto bearer = bearer_token(input)) {
    require_inside(*bearer, input);
    check_token(*bearer);
  }
  check_token(input);
  (void)valid_username(input);
  (void)valid_password(input);
  check_login_body(input);
  return 0;
}
