// Login throttling, trusted proxies and the HTTPS cookie (issue 9, item 4; docs/protocol.md,
// "Login throttling", "Cookies", "Behind a reverse proxy"). Different client addresses come from
// a trusted proxy on 127.0.0.1 naming them in X-Forwarded-For.
#include "support/server_fixture.hpp"

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <thread>

namespace chatterbox::test_support {
namespace {

using login_throttle_test = server_test;

// The harness lifts every login limit; these tests put the defaults back.
std::vector<std::string> default_limits(std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--login-free-failures",
                                   "5",
                                   "--login-max-delay",
                                   "900",
                                   "--login-failures-per-address",
                                   "100",
                                   "--max-pending-logins-per-address",
                                   "16"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::vector<std::string> behind_proxy(std::vector<std::string> extra = {}) {
  extra.insert(extra.begin(), {"--trusted-proxy", "127.0.0.1/32"});
  return default_limits(std::move(extra));
}

http_result login_from(std::uint16_t port, const std::string& address, const std::string& username,
                       const std::string& password,
                       std::map<std::string, std::string> headers = {}) {
  if (!address.empty()) headers.emplace("X-Forwarded-For", address);
  return http_request(port, http::verb::post, "/api/login",
                      json{{"username", username}, {"password", password}}.dump(), headers);
}

int retry_after(const http_result& result) {
  const auto value = result.header("retry-after");
  return value.empty() ? -1 : std::stoi(value);
}

TEST_F(login_throttle_test, strangers_guessing_do_not_lock_the_owner_out) {
  restart(behind_proxy());
  ASSERT_EQ(login_from(port(), "203.0.113.10", "alice", "alice's password").status, 201u);

  int refused_unchecked = 0;
  int wrong = 0;
  for (int i = 0; i < 30; ++i) {
    const auto guess =
        login_from(port(), "198.51.100.66", "alice", "guess number " + std::to_string(i));
    if (guess.status == 401u) {
      ++wrong;
    } else {
      ASSERT_EQ(guess.status, 429u) << guess.body;
      EXPECT_EQ(guess.body_json()["error"]["code"], "rate_limited");
      EXPECT_GE(retry_after(guess), 1);
      ++refused_unchecked;
    }
  }
  EXPECT_EQ(wrong, 5);  // the free failures; the other 25 never reached the password check
  EXPECT_EQ(refused_unchecked, 25);
  EXPECT_TRUE(server_->wait_for_output("login failed: user=alice from=198.51.100.66"));

  // The owner, from her usual address and from a new one, logs in at once.
  EXPECT_EQ(login_from(port(), "203.0.113.10", "alice", "alice's password").status, 200u);
  EXPECT_EQ(login_from(port(), "192.0.2.77", "Alice", "alice's password").status, 200u);
  // Without the proxy header she is 127.0.0.1, also a stranger to the guesser's pair.
  EXPECT_EQ(login(port(), "alice", "alice's password").status, 200u);
}

TEST_F(login_throttle_test, forty_colleagues_behind_one_address_all_log_in) {
  // No proxy: everyone is 127.0.0.1, as behind a NAT.
  restart(default_limits());
  for (int i = 0; i < 40; ++i) {
    const auto name = "colleague" + std::to_string(i);
    EXPECT_EQ(login(port(), name, "password " + name).status, 201u) << name;
  }
  // The next morning: everyone logs in again, a few mistype first.
  for (int i = 0; i < 40; ++i) {
    const auto name = "colleague" + std::to_string(i);
    if (i % 4 == 0) {
      EXPECT_EQ(login(port(), name, "mistyped " + name).status, 401u) << name;
    }
    EXPECT_EQ(login(port(), name, "password " + name).status, 200u) << name;
  }
}

TEST_F(login_throttle_test, a_guessing_pair_waits_longer_after_each_failure) {
  restart(behind_proxy());
  ASSERT_EQ(login_from(port(), "203.0.113.10", "alice", "alice's password").status, 201u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(login_from(port(), "198.51.100.66", "alice", "wrong password").status, 401u);
  }
  const auto first = login_from(port(), "198.51.100.66", "alice", "wrong password");
  ASSERT_EQ(first.status, 429u);
  EXPECT_EQ(retry_after(first), 1);
  // While the pair waits even the right password is not looked at.
  EXPECT_EQ(login_from(port(), "198.51.100.66", "alice", "alice's password").status, 429u);

  // Waiting what the server asked for is what a client does; the clocks are both monotonic, so
  // the delay has certainly passed by then.
  std::this_thread::sleep_for(std::chrono::seconds(retry_after(first)));
  EXPECT_EQ(login_from(port(), "198.51.100.66", "alice", "wrong password").status, 401u);
  const auto second = login_from(port(), "198.51.100.66", "alice", "wrong password");
  ASSERT_EQ(second.status, 429u);
  EXPECT_EQ(retry_after(second), 2);

  EXPECT_EQ(login_from(port(), "203.0.113.10", "alice", "alice's password").status, 200u);
}

TEST_F(login_throttle_test, one_address_failing_across_many_usernames_hits_the_ceiling) {
  restart(behind_proxy({"--login-failures-per-address", "10"}));
  for (int i = 0; i < 11; ++i) {
    ASSERT_EQ(login_from(port(), "203.0.113.10", "user" + std::to_string(i), "the password").status,
              201u);
  }
  // Password spraying: one guess per account, so no pair ever waits.
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(login_from(port(), "198.51.100.66", "user" + std::to_string(i), "Summer2024!").status,
              401u);
  }
  const auto refused = login_from(port(), "198.51.100.66", "user10", "Summer2024!");
  EXPECT_EQ(refused.status, 429u);
  EXPECT_GE(retry_after(refused), 1);
  EXPECT_EQ(login_from(port(), "198.51.100.66", "user0", "the password").status, 429u);
  // Nobody else is affected.
  EXPECT_EQ(login_from(port(), "203.0.113.10", "user10", "the password").status, 200u);
}

TEST_F(login_throttle_test, ipv6_clients_count_by_their_slash_64) {
  restart(behind_proxy());
  ASSERT_EQ(login_from(port(), "203.0.113.10", "alice", "alice's password").status, 201u);
  // One subscriber rotating through its /64 is still one address.
  for (int i = 1; i <= 5; ++i) {
    EXPECT_EQ(
        login_from(port(), "2001:db8:1:2::" + std::to_string(i), "alice", "wrong password").status,
        401u);
  }
  EXPECT_EQ(login_from(port(), "[2001:db8:1:2:ffff::9]:4711", "alice", "wrong password").status,
            429u);
  EXPECT_EQ(login_from(port(), "2001:db8:1:3::1", "alice", "alice's password").status, 200u);
}

TEST_F(login_throttle_test, forwarding_headers_from_an_untrusted_peer_are_ignored) {
  // A trusted proxy exists, but it is not us.
  restart(default_limits({"--trusted-proxy", "10.0.0.0/8"}));
  ASSERT_EQ(login(port(), "alice", "alice's password").status, 201u);
  // Claiming a new address with every guess does not reset anything.
  for (int i = 1; i <= 5; ++i) {
    EXPECT_EQ(login_from(port(), "198.51.100." + std::to_string(i), "alice", "wrong password",
                         {{"Forwarded", "for=198.51.100." + std::to_string(i)}})
                  .status,
              401u);
  }
  EXPECT_EQ(login_from(port(), "198.51.100.99", "alice", "wrong password").status, 429u);
  EXPECT_TRUE(server_->wait_for_output("login failed: user=alice from=127.0.0.1"));
  // Nor does claiming HTTPS.
  const auto plain =
      login_from(port(), "", "bob", "bob's password", {{"X-Forwarded-Proto", "https"}});
  ASSERT_EQ(plain.status, 201u);
  EXPECT_EQ(plain.header("set-cookie").rfind("chatterbox_token=", 0), 0u)
      << plain.header("set-cookie");
}

TEST_F(login_throttle_test, a_client_cannot_pick_its_address_with_the_header_its_proxy_ignores) {
  restart(behind_proxy());
  ASSERT_EQ(login_from(port(), "203.0.113.10", "alice", "alice's password").status, 201u);
  // The proxy writes X-Forwarded-For and passes the client's own Forwarded through.
  for (int i = 1; i <= 5; ++i) {
    EXPECT_EQ(login_from(port(), "198.51.100.66", "alice", "wrong password",
                         {{"Forwarded", "for=192.0.2." + std::to_string(i)}})
                  .status,
              401u);
  }
  EXPECT_EQ(login_from(port(), "198.51.100.66", "alice", "wrong password",
                       {{"Forwarded", "for=192.0.2.99"}})
                .status,
            429u);
}

TEST_F(login_throttle_test, the_cookie_is_host_prefixed_and_secure_over_https) {
  restart(behind_proxy());
  const auto over_https = login_from(port(), "203.0.113.10", "alice", "alice's password",
                                     {{"X-Forwarded-Proto", "https"}});
  ASSERT_EQ(over_https.status, 201u);
  const auto token = over_https.body_json()["token"].get<std::string>();
  const auto cookie = over_https.header("set-cookie");
  EXPECT_EQ(cookie.rfind("__Host-chatterbox_token=" + token +
                             "; Secure; HttpOnly; SameSite=Strict; Path=/; Max-Age=",
                         0),
            0u)
      << cookie;
  EXPECT_EQ(cookie.find("Domain"), std::string::npos);

  // Forwarded's proto says the same.
  const auto by_forwarded = login_from(port(), "", "alice", "alice's password",
                                       {{"Forwarded", "for=203.0.113.10;proto=https"}});
  EXPECT_EQ(by_forwarded.header("set-cookie").rfind("__Host-chatterbox_token=", 0), 0u);

  // Plain HTTP: the plain cookie, not Secure.
  const auto over_http = login_from(port(), "203.0.113.10", "alice", "alice's password");
  EXPECT_EQ(over_http.header("set-cookie").rfind("chatterbox_token=", 0), 0u);
  EXPECT_EQ(over_http.header("set-cookie").find("Secure"), std::string::npos);

  // Either cookie authenticates.
  EXPECT_EQ(http_request(port(), http::verb::get, "/api/me", "",
                         {{"Cookie", "__Host-chatterbox_token=" + token}})
                .status,
            200u);
  const auto plain_token = over_http.body_json()["token"].get<std::string>();
  EXPECT_EQ(http_request(port(), http::verb::get, "/api/me", "",
                         {{"Cookie", "chatterbox_token=" + plain_token}})
                .status,
            200u);

  // Logout over HTTPS clears both names.
  const auto logout = http_request(
      port(), http::verb::post, "/api/logout", "{}",
      {{"Cookie", "__Host-chatterbox_token=" + token}, {"X-Forwarded-Proto", "https"}});
  EXPECT_EQ(logout.status, 200u);
  std::set<std::string> cleared;
  std::istringstream lines(logout.header("set-cookie"));
  for (std::string line; std::getline(lines, line);) cleared.insert(line);
  EXPECT_EQ(cleared,
            (std::set<std::string>{
                "__Host-chatterbox_token=; Secure; HttpOnly; SameSite=Strict; Path=/; Max-Age=0",
                "chatterbox_token=; Secure; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"}));
  EXPECT_EQ(http_request(port(), http::verb::get, "/api/me", "",
                         {{"Cookie", "__Host-chatterbox_token=" + token}})
                .status,
            401u);
}

TEST_F(login_throttle_test, an_https_public_url_makes_every_cookie_secure) {
  restart(default_limits({"--public-url", "https://chat.example.com"}));
  const auto result = login(port(), "alice", "alice's password");
  ASSERT_EQ(result.status, 201u);
  EXPECT_EQ(result.header("set-cookie").rfind("__Host-chatterbox_token=", 0), 0u);
  EXPECT_NE(result.header("set-cookie").find("; Secure"), std::string::npos);

  // A browser over HTTPS sends the __Host- cookie back.
  const auto token = result.body_json()["token"].get<std::string>();
  EXPECT_EQ(http_request(port(), http::verb::get, "/api/me", "",
                         {{"Cookie", "__Host-chatterbox_token=" + token}})
                .status,
            200u);
}

}  // namespace
}  // namespace chatterbox::test_support
