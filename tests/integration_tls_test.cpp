// HTTPS without a proxy (--tls-cert/--tls-key): the page, logins and WebSockets over TLS, the
// certificate reloaded on SIGHUP under open connections, the redirect port, and the ways a
// client can get TLS wrong. Certificates are made at test time with the openssl command.
#include "support/tls_client.hpp"

#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <boost/asio.hpp>

#include <signal.h>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace chatterbox::test_support {
namespace {

namespace fs = std::filesystem;

class tls_test : public temp_dir_test {
 protected:
  void SetUp() override {
    temp_dir_test::SetUp();
    first_ = make_certificate(dir_.string(), "chatterbox-first");
    // Where the server reads them, replaced in place on renewal as certbot does.
    fs::copy_file(first_.cert, file("live.crt"));
    fs::copy_file(first_.key, file("live.key"));
  }
  void TearDown() override {
    if (HasFailure() && server_) std::cerr << "server output:\n" << server_->output();
    server_.reset();
    temp_dir_test::TearDown();
  }

  void start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--tls-cert", file("live.crt"), "--tls-key", file("live.key")};
    args.insert(args.end(), extra.begin(), extra.end());
    server_ = std::make_unique<server_process>(file("chat.db"), args, 0, "listening on https://");
  }
  std::uint16_t port() const { return server_->port(); }

  // Puts `files` where the server reads its certificate and sends SIGHUP; returns the log line
  // the reload wrote (bounded wait): "reloaded" or "reload failed".
  std::string renew_and_reload(const test_certificate& files, int reload_number) {
    fs::copy_file(files.cert, file("live.crt"), fs::copy_options::overwrite_existing);
    fs::copy_file(files.key, file("live.key"), fs::copy_options::overwrite_existing);
    ::kill(server_->pid(), SIGHUP);
    // Every reload logs one "tls: reload…" line, success or not: wait for this one's.
    const auto line =
        server_->wait_for_nth_output("tls: reload", reload_number, std::chrono::seconds(10));
    return line ? "tls: reload" + *line : "no reload logged";
  }

  test_certificate first_;
  std::unique_ptr<server_process> server_;
};

TEST_F(tls_test, PageOverHttpsCarriesHsts) {
  start();
  const auto page = https_request(port(), http::verb::get, "/");
  EXPECT_EQ(page.status, 200u);
  EXPECT_EQ(page.header("strict-transport-security"), "max-age=31536000");
  EXPECT_EQ(page.peer_common_name, "chatterbox-first");
  // Errors too: the header is on every response over TLS.
  const auto missing = https_request(port(), http::verb::get, "/api/nothing-here");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(missing.header("strict-transport-security"), "max-age=31536000");
}

TEST_F(tls_test, LoginOverTlsSetsASecureHostCookie) {
  start();
  const auto result =
      https_request(port(), http::verb::post, "/api/login",
                    json{{"username", "alice"}, {"password", "password123"}}.dump());
  ASSERT_EQ(result.status, 201u) << result.body;
  const auto cookie = result.header("set-cookie");
  EXPECT_EQ(cookie.rfind("__Host-chatterbox_token=", 0), 0u) << cookie;
  EXPECT_NE(cookie.find("; Secure"), std::string::npos) << cookie;
}

TEST_F(tls_test, WebSocketOverTlsSendsAndReceivesChat) {
  start();
  auto alice = tls_ws_client::connect(port(), tls_token_for(port(), "alice"));
  auto bob = tls_ws_client::connect(port(), tls_token_for(port(), "bob"));
  for (int i = 0; i < 10; ++i) {
    const auto text = "hello " + std::to_string(i);
    EXPECT_EQ(alice->say(general, "a" + std::to_string(i), text).value("type", ""), "ack");
    bob->expect_message(text);
  }
  // A burst: 40 messages of 3,900 characters sent without waiting reach bob in writes of many
  // TLS records each (one message's frame already fills a quarter of a record).
  const std::string big(3900, 'x');
  for (int i = 0; i < 40; ++i) {
    alice->send({{"type", "send"},
                 {"room", general},
                 {"client_id", "b" + std::to_string(i)},
                 {"text", big}});
  }
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(alice->expect("ack").value("client_id", ""), "b" + std::to_string(i));
    bob->expect_message(big);
  }
  bob->say(general, "b1", "back");
  alice->expect_message("back");
}

TEST_F(tls_test, SighupReloadKeepsOpenWebSocketsAndServesTheNewCertificate) {
  start();
  auto alice = tls_ws_client::connect(port(), tls_token_for(port(), "alice"));
  EXPECT_EQ(alice->peer_common_name(), "chatterbox-first");

  const auto second = make_certificate(dir_.string(), "chatterbox-second");
  const auto reload = renew_and_reload(second, 1);
  ASSERT_NE(reload.find("reloaded"), std::string::npos) << reload << server_->output();

  // The open connection still works on its old session...
  alice->say(general, "before", "still here");
  // ...and new connections see the new certificate, and talk with the old one.
  const auto page = https_request(port(), http::verb::get, "/");
  EXPECT_EQ(page.peer_common_name, "chatterbox-second");
  auto bob = tls_ws_client::connect(port(), tls_token_for(port(), "bob"));
  EXPECT_EQ(bob->peer_common_name(), "chatterbox-second");
  bob->say(general, "b", "from the new certificate");
  alice->expect_message("from the new certificate");
  alice->say(general, "a", "from the old one");
  bob->expect_message("from the old one");
}

TEST_F(tls_test, BadCertificateOnReloadKeepsTheOldOne) {
  start();
  auto alice = tls_ws_client::connect(port(), tls_token_for(port(), "alice"));

  // Not a certificate at all.
  const test_certificate garbage{file("garbage.crt"), first_.key};
  { std::ofstream(garbage.cert) << "-----BEGIN CERTIFICATE-----\nnot base64\n"; }
  auto reload = renew_and_reload(garbage, 1);
  EXPECT_NE(reload.find("reload failed"), std::string::npos) << reload;
  EXPECT_EQ(https_request(port(), http::verb::get, "/").peer_common_name, "chatterbox-first");

  // A certificate with somebody else's key.
  const auto other = make_certificate(dir_.string(), "chatterbox-other");
  reload = renew_and_reload({other.cert, first_.key}, 2);
  EXPECT_NE(reload.find("does not match"), std::string::npos) << reload;
  EXPECT_EQ(https_request(port(), http::verb::get, "/").peer_common_name, "chatterbox-first");

  alice->say(general, "a", "unbothered");
  EXPECT_TRUE(server_->running());
}

TEST_F(tls_test, RedirectPortSendsEveryRequestToHttps) {
  start({"--http-redirect-port", "0"});
  const auto line = server_->wait_for_output("redirecting http://127.0.0.1:");
  ASSERT_TRUE(line);
  const auto plain = static_cast<std::uint16_t>(std::stoi(line->substr(0, line->find(' '))));
  std::string https_origin = "https://127.0.0.1:";
  https_origin.append(std::to_string(port()));

  const auto get = http_request(plain, http::verb::get, "/room/1?x=%20y");
  EXPECT_EQ(get.status, 301u);
  EXPECT_EQ(get.header("location"), https_origin + "/room/1?x=%20y");
  const auto post = http_request(plain, http::verb::post, "/api/login", "{}");
  EXPECT_EQ(post.status, 308u);
  EXPECT_EQ(post.header("location"), https_origin + "/api/login");
  // Only what the client asked for, on our HTTPS port: the Host's own port is dropped, an
  // absolute-form target cannot name another authority, and a Host that is not a plain host
  // is refused.
  const auto named = http_request(plain, http::verb::get, "/", "", {{"Host", "chat.example:80"}});
  EXPECT_EQ(named.header("location"), "https://chat.example:" + std::to_string(port()) + "/");
  const auto absolute = http_request(plain, http::verb::get, "http://evil.example/x");
  EXPECT_EQ(absolute.header("location"), https_origin + "/");
  const auto hostile = http_request(plain, http::verb::get, "/", "", {{"Host", "evil.example@x"}});
  EXPECT_EQ(hostile.status, 400u);
  EXPECT_EQ(hostile.header("location"), "");
  // Nothing else is served there.
  EXPECT_EQ(http_request(plain, http::verb::get, "/api/rooms").status, 301u);
}

TEST_F(tls_test, RedirectGoesToThePublicUrlWhenOneIsSet) {
  start({"--http-redirect-port", "0", "--public-url", "https://chat.example.com"});
  const auto line = server_->wait_for_output("redirecting http://127.0.0.1:");
  ASSERT_TRUE(line);
  const auto plain = static_cast<std::uint16_t>(std::stoi(line->substr(0, line->find(' '))));
  const auto get = http_request(plain, http::verb::get, "/a?b", "", {{"Host", "other.example"}});
  EXPECT_EQ(get.header("location"), "https://chat.example.com/a?b");
}

TEST_F(tls_test, PlainHttpToTheTlsPortIsRefusedCleanly) {
  start();
  const auto refused = http_request(port(), http::verb::get, "/");
  EXPECT_EQ(refused.status, 400u);
  EXPECT_NE(refused.body.find("HTTPS"), std::string::npos) << refused.body;
  EXPECT_EQ(https_request(port(), http::verb::get, "/").status, 200u);
}

TEST_F(tls_test, ClientThatNeverFinishesTheHandshakeIsDropped) {
  start({"--tls-handshake-timeout", "1"});
  boost::asio::io_context io;
  tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port()});
  // The start of a ClientHello record, and then nothing.
  const std::string partial("\x16\x03\x01\x02\x00", 5);
  boost::asio::write(socket, boost::asio::buffer(partial));
  const auto started = std::chrono::steady_clock::now();
  std::optional<boost::system::error_code> ended;
  char byte = 0;
  socket.async_read_some(boost::asio::buffer(&byte, 1),
                         [&](boost::system::error_code ec, std::size_t) { ended = ec; });
  io.run_for(wait_bound);
  ASSERT_TRUE(ended) << "the server kept a silent handshake open";
  EXPECT_TRUE(*ended == boost::asio::error::eof || *ended == boost::asio::error::connection_reset)
      << ended->message();
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(900));
  // Meanwhile and after, others are served.
  EXPECT_EQ(https_request(port(), http::verb::get, "/").status, 200u);
}

TEST_F(tls_test, ServerRefusesToStartWithAnUnusableCertificate) {
  { std::ofstream(file("live.crt"), std::ios::trunc) << "nothing"; }
  EXPECT_THROW(start(), std::runtime_error);
}

}  // namespace
}  // namespace chatterbox::test_support
