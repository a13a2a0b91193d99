#include "chatterbox/config.hpp"
#include "support/parse_args.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

namespace chatterbox {
namespace {

using test_support::parse_args;

TEST(ConfigTls, OffByDefault) {
  const auto c = std::get<server_config>(parse_args({}));
  EXPECT_FALSE(c.tls_cert);
  EXPECT_FALSE(c.tls_key);
  EXPECT_FALSE(c.http_redirect_port);
  EXPECT_EQ(c.tls_handshake_timeout, std::chrono::seconds(10));
}

TEST(ConfigTls, FlagsAndEnvironment) {
  const auto c =
      std::get<server_config>(parse_args({"--tls-cert", "/etc/le/fullchain.pem",
                                     "--http-redirect-port=80", "--tls-handshake-timeout", "3"},
                                    {"CHATTERBOX_TLS_KEY=/etc/le/privkey.pem"}));
  EXPECT_EQ(c.tls_cert, "/etc/le/fullchain.pem");
  EXPECT_EQ(c.tls_key, "/etc/le/privkey.pem");
  EXPECT_EQ(c.http_redirect_port, 80);
  EXPECT_EQ(c.tls_handshake_timeout, std::chrono::seconds(3));
}

TEST(ConfigTls, CertificateAndKeyGoTogether) {
  const auto only_cert = parse_args({"--tls-cert", "a.pem"});
  ASSERT_TRUE(std::holds_alternative<config_error>(only_cert));
  EXPECT_NE(std::get<config_error>(only_cert).message.find("--tls-key"), std::string::npos);
  EXPECT_TRUE(std::holds_alternative<config_error>(parse_args({"--tls-key", "k.pem"})));
}

TEST(ConfigTls, RedirectPortNeedsTls) {
  const auto r = parse_args({"--http-redirect-port", "80"});
  ASSERT_TRUE(std::holds_alternative<config_error>(r));
  EXPECT_NE(std::get<config_error>(r).message.find("--tls-cert"), std::string::npos);
  EXPECT_TRUE(std::holds_alternative<config_error>(
      parse_args({"--tls-cert=c", "--tls-key=k", "--http-redirect-port=70000"})));
}

TEST(ConfigTls, HelpListsTheFlags) {
  const auto help = std::get<config_help>(parse_args({"--help"})).text;
  for (const auto* flag :
       {"--tls-cert FILE", "--tls-key FILE", "--http-redirect-port N", "CHATTERBOX_TLS_CERT"}) {
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace chatterbox
