// The HTTP API and request limits against the real server (docs/protocol.md, "HTTP API").
#include "support/raw_websocket.hpp"
#include "support/server_fixture.hpp"

#include <gtest/gtest.h>

#include <boost/asio.hpp>

namespace chatterbox::test_support {
namespace {

using http_test = server_test;

TEST_F(http_test, first_login_creates_the_account_then_the_same_password_logs_in) {
  const auto created = login(port(), "alice", "correct horse");
  EXPECT_EQ(created.status, 201u);
  const auto body = created.body_json();
  EXPECT_EQ(body["created"], true);
  EXPECT_EQ(body["username"], "alice");
  EXPECT_EQ(body["token"].get<std::string>().size(), 43u);
  EXPECT_GT(body["expires_at"].get<std::int64_t>(), 0);
  const auto cookie = created.header("set-cookie");
  EXPECT_NE(cookie.find("chatterbox_token=" + body["token"].get<std::string>()), std::string::npos);
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(cookie.find("Path=/"), std::string::npos);

  const auto again = login(port(), "alice", "correct horse");
  EXPECT_EQ(again.status, 200u);
  EXPECT_EQ(again.body_json()["created"], false);
  EXPECT_NE(again.body_json()["token"], body["token"]);
}

TEST_F(http_test, usernames_ignore_case_and_keep_their_first_spelling) {
  EXPECT_EQ(login(port(), "Alice", "correct horse").status, 201u);
  const auto lower = login(port(), "alice", "correct horse");
  EXPECT_EQ(lower.status, 200u);
  EXPECT_EQ(lower.body_json()["username"], "Alice");
}

TEST_F(http_test, wrong_password_is_401_with_the_same_message_as_any_failure) {
  login(port(), "alice", "correct horse");
  const auto wrong = login(port(), "alice", "wrong horse");
  EXPECT_EQ(wrong.status, 401u);
  EXPECT_EQ(wrong.body_json()["error"]["code"], "invalid_credentials");
  EXPECT_EQ(wrong.header("set-cookie"), "");
}

TEST_F(http_test, invalid_usernames_and_passwords_are_400) {
  for (const std::string& name :
       std::vector<std::string>{"", "has space", "semi;colon", std::string(33, 'a'), "ünïcode"}) {
    const auto result = login(port(), name, "long enough");
    EXPECT_EQ(result.status, 400u) << name;
    EXPECT_EQ(result.body_json()["error"]["code"], "invalid_username") << name;
  }
  EXPECT_EQ(login(port(), "alice", "short").body_json()["error"]["code"], "invalid_password");
  EXPECT_EQ(login(port(), "alice", std::string(129, 'p')).status, 400u);
  EXPECT_EQ(login(port(), std::string(32, 'a'), std::string(128, 'p')).status, 201u);

  const auto not_json = http_request(port(), http::verb::post, "/api/login", "{nope");
  EXPECT_EQ(not_json.status, 400u);
  EXPECT_EQ(not_json.body_json()["error"]["code"], "invalid_json");
  const auto wrong_types = http_request(port(), http::verb::post, "/api/login",
                                        R"({"username": 5, "password": ["x"]})");
  EXPECT_EQ(wrong_types.status, 400u);
}

TEST_F(http_test, login_from_a_foreign_origin_or_as_a_form_is_refused) {
  const auto foreign = http_request(port(), http::verb::post, "/api/login",
                                    R"({"username":"alice","password":"correct horse"})",
                                    {{"Origin", "http://evil.example"}});
  EXPECT_EQ(foreign.status, 403u);
  const auto form = http_request(port(), http::verb::post, "/api/login",
                                 "username=alice&password=correct+horse",
                                 {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(form.status, 415u);
  const auto same_origin = http_request(
      port(), http::verb::post, "/api/login", R"({"username":"alice","password":"correct horse"})",
      {{"Origin", "http://127.0.0.1:" + std::to_string(port())}});
  EXPECT_EQ(same_origin.status, 201u);
}

TEST_F(http_test, health_me_unknown_paths_and_wrong_methods) {
  const auto health = http_request(port(), http::verb::get, "/api/health");
  EXPECT_EQ(health.status, 200u);
  EXPECT_EQ(health.body_json()["status"], "ok");

  EXPECT_EQ(http_request(port(), http::verb::get, "/api/nothing").status, 404u);
  const auto wrong = http_request(port(), http::verb::get, "/api/login");
  EXPECT_EQ(wrong.status, 405u);
  EXPECT_EQ(wrong.header("allow"), "POST");
  EXPECT_EQ(wrong.body_json()["error"]["code"], "method_not_allowed");

  EXPECT_EQ(http_request(port(), http::verb::get, "/api/me").status, 401u);
  const auto token = token_for(port(), "alice");
  const auto me = http_request(port(), http::verb::get, "/api/me", "",
                               {{"Cookie", "chatterbox_token=" + token}});
  EXPECT_EQ(me.status, 200u);
  EXPECT_EQ(me.body_json()["username"], "alice");
}

TEST_F(http_test, the_web_client_is_served_from_the_binary_with_security_headers) {
  const auto page = http_request(port(), http::verb::get, "/");
  EXPECT_EQ(page.status, 200u);
  EXPECT_NE(page.header("content-type").find("text/html"), std::string::npos);
  EXPECT_NE(page.body.find("<!doctype html"), std::string::npos);
  EXPECT_EQ(page.header("content-security-policy"), "default-src 'self'");
  EXPECT_EQ(page.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(page.header("referrer-policy"), "no-referrer");
  EXPECT_EQ(page.header("x-frame-options"), "DENY");

  const auto cached = http_request(port(), http::verb::get, "/", "",
                                   {{"If-None-Match", page.header("etag")}});
  EXPECT_EQ(cached.status, 304u);
  EXPECT_EQ(http_request(port(), http::verb::get, "/schema.sql").status, 404u);
  EXPECT_EQ(http_request(port(), http::verb::get, "/../CMakeLists.txt").status, 404u);
}

TEST_F(http_test, oversized_body_is_413_and_oversized_header_is_431) {
  const auto big_body = http_request(port(), http::verb::post, "/api/login",
                                     std::string(17 * 1024, 'x'));
  EXPECT_EQ(big_body.status, 413u);
  const auto big_header = http_request(port(), http::verb::get, "/api/health", "",
                                       {{"X-Filler", std::string(9 * 1024, 'x')}});
  EXPECT_EQ(big_header.status, 431u);
  // The server is unharmed.
  EXPECT_EQ(http_request(port(), http::verb::get, "/api/health").status, 200u);
}

TEST_F(http_test, a_client_dribbling_its_request_is_cut_at_the_request_deadline) {
  restart({"--request-timeout", "1"});
  boost::asio::io_context io;
  tcp::socket slow(io);
  slow.connect({boost::asio::ip::make_address("127.0.0.1"), port()});
  const std::string request = "GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: ";
  const auto started = std::chrono::steady_clock::now();
  // One byte every 100 ms keeps the connection busy but never finishes a request.
  boost::system::error_code ec;
  for (std::size_t i = 0; !ec && std::chrono::steady_clock::now() - started < 5s; ++i) {
    boost::asio::write(slow, boost::asio::buffer(&request[i % request.size()], 1), ec);
    if (!ec) {
      boost::asio::steady_timer pace(io, 100ms);
      pace.wait();
    }
  }
  EXPECT_TRUE(ec) << "the server kept a dribbling connection open for 5 s";
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_EQ(http_request(port(), http::verb::get, "/api/health").status, 200u);
}

TEST_F(http_test, connections_that_never_send_a_request_do_not_keep_others_out) {
  // Two places for connections waiting for their first request; a silent one keeps its place
  // for 100 ms only.
  restart({"--max-pending-handshakes", "2", "--handshake-hold-ms", "100"});
  boost::asio::io_context io;
  std::vector<tcp::socket> silent;
  for (int i = 0; i < 6; ++i) {
    silent.emplace_back(io);
    silent.back().connect({boost::asio::ip::make_address("127.0.0.1"), port()});
  }
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(http_request(port(), http::verb::get, "/api/health").status, 200u);
  // Served behind at most 6 silent connections, each holding a place 100 ms: well within 2 s.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST_F(http_test, many_clients_connecting_at_once_are_all_served_in_order) {
  restart({"--max-pending-handshakes", "2"});
  std::vector<std::string> tokens;
  for (int i = 0; i < 40; ++i) tokens.push_back(token_for(port(), "crowd" + std::to_string(i)));
  // Every upgrade request is written before any answer is read: most of them wait, accepted.
  std::vector<std::unique_ptr<raw_websocket>> crowd;
  for (const auto& token : tokens) {
    crowd.push_back(std::make_unique<raw_websocket>(port(), upgrade_request(token)));
  }
  for (auto& client : crowd) {
    EXPECT_EQ(client->response_head().substr(0, 12), "HTTP/1.1 101");
    const auto hello = client->read_frame();
    ASSERT_TRUE(hello);
    EXPECT_NE(hello->payload.find(R"("type":"hello")"), std::string::npos) << hello->payload;
  }
}

}  // namespace
}  // namespace chatterbox::test_support
