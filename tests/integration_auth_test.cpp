// Who may open a WebSocket, and what logout does to open ones.
#include "support/server_fixture.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <thread>

namespace chatterbox::test_support {
namespace {

using auth_test = server_test;

TEST_F(auth_test, upgrade_without_a_token_is_401) {
  ws_client anonymous(port(), {});
  EXPECT_FALSE(anonymous.connected());
  EXPECT_EQ(anonymous.upgrade_status(), 401u);

  ws_client forged(port(), {std::string(43, 'A'), false, std::nullopt});
  EXPECT_EQ(forged.upgrade_status(), 401u);
  ws_client garbage(port(), {"not a token", true, std::nullopt});
  EXPECT_EQ(garbage.upgrade_status(), 401u);
}

TEST_F(auth_test, cookie_and_bearer_both_authenticate) {
  const auto token = token_for(port(), "alice");
  ws_client by_cookie(port(), {token, true, std::nullopt});
  EXPECT_TRUE(by_cookie.connected());
  EXPECT_EQ(by_cookie.expect("hello")["user"], "alice");
  ws_client by_bearer(port(), {token, false, std::nullopt});
  EXPECT_EQ(by_bearer.expect("hello")["user"], "alice");
}

TEST_F(auth_test, foreign_origin_is_403_even_with_a_valid_cookie) {
  const auto token = token_for(port(), "alice");
  ws_client hijack(port(), {token, true, "http://evil.example"});
  EXPECT_FALSE(hijack.connected());
  EXPECT_EQ(hijack.upgrade_status(), 403u);

  ws_client same_origin(port(), {token, true, "http://127.0.0.1:" + std::to_string(port())});
  EXPECT_TRUE(same_origin.connected());
}

TEST_F(auth_test, allowed_origin_flag_admits_that_origin) {
  restart({"--allowed-origin", "https://chat.example.com"});
  const auto token = token_for(port(), "alice");
  ws_client allowed(port(), {token, true, "https://chat.example.com"});
  EXPECT_TRUE(allowed.connected());
  ws_client other(port(), {token, true, "https://other.example.com"});
  EXPECT_EQ(other.upgrade_status(), 403u);
}

TEST_F(auth_test, logout_revokes_the_token_and_closes_its_sockets_only) {
  const auto token = token_for(port(), "alice");
  const auto other_token = token_for(port(), "alice");
  auto tab = ws_client::connect(port(), token);
  auto other_device = ws_client::connect(port(), other_token);

  const auto logout = http_request(port(), http::verb::post, "/api/logout", "{}",
                                   {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(logout.status, 200u);
  EXPECT_NE(logout.header("set-cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(tab->wait_closed(), 4001);

  ws_client revoked(port(), {token, false, std::nullopt});
  EXPECT_EQ(revoked.upgrade_status(), 401u);
  EXPECT_EQ(http_request(port(), http::verb::post, "/api/logout", "{}",
                         {{"Authorization", "Bearer " + token}})
                .status,
            401u);
  // The other login of the same user is untouched.
  other_device->say(general, "still-here", "still connected");
}

TEST_F(auth_test, expired_tokens_are_refused) {
  restart({"--token-ttl", "1"});
  const auto login_result = login(port(), "alice");
  const auto expires_at = login_result.body_json()["expires_at"].get<std::int64_t>();
  const auto token = login_result.body_json()["token"].get<std::string>();
  // Wait until the server clock has passed expires_at: a bounded wait on wall time, since
  // expiry *is* about wall time.
  const auto deadline = std::chrono::system_clock::time_point(std::chrono::milliseconds(expires_at));
  std::this_thread::sleep_until(deadline + 50ms);
  ws_client late(port(), {token, false, std::nullopt});
  EXPECT_EQ(late.upgrade_status(), 401u);
}

TEST_F(auth_test, an_open_connection_ends_with_4001_when_its_token_expires) {
  restart({"--token-ttl", "2", "--idle-timeout", "1"});
  auto alice = connect("alice");
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(alice->wait_closed(10s), 4001);
  // Not before the token's two seconds are up, and soon after (checks run every 0.5 s here).
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_GT(took, 1s);
  EXPECT_LT(took, 5s);
}

TEST_F(auth_test, no_plaintext_token_or_password_in_the_database_or_log) {
  const auto result = login(port(), "alice", "hunter2hunter2");
  const auto token = result.body_json()["token"].get<std::string>();
  auto alice = ws_client::connect(port(), token);
  alice->say(general, "c1", "secret message text");
  alice->close();
  ASSERT_EQ(server_->terminate(), 0);

  std::string files;
  for (const auto* name : {"chat.db", "chat.db-wal"}) {
    std::ifstream in(file(name), std::ios::binary);
    files += std::string(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_EQ(files.find(token), std::string::npos);
  EXPECT_EQ(files.find("hunter2hunter2"), std::string::npos);
  const auto log = server_->output();
  EXPECT_EQ(log.find(token), std::string::npos);
  EXPECT_EQ(log.find("hunter2hunter2"), std::string::npos);
  EXPECT_EQ(log.find("secret message text"), std::string::npos);
  start();
}

}  // namespace
}  // namespace chatterbox::test_support
