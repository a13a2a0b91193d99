#include "chatterbox/http/https_redirect.hpp"

#include <gtest/gtest.h>

namespace chatterbox {
namespace {

TEST(HttpsRedirect, KeepsTheHostAndPathAndUsesOurPort) {
  const https_redirect_target to{std::nullopt, 8443};
  EXPECT_EQ(https_location(to, "chat.example.com", "/a/b?c=d"),
            "https://chat.example.com:8443/a/b?c=d");
  EXPECT_EQ(https_location(to, "chat.example.com:8080", "/"), "https://chat.example.com:8443/");
  EXPECT_EQ(https_location(to, "[2001:db8::1]:80", "/x"), "https://[2001:db8::1]:8443/x");
  EXPECT_EQ(https_location(to, "127.0.0.1", "/"), "https://127.0.0.1:8443/");
}

TEST(HttpsRedirect, LeavesPort443Out) {
  const https_redirect_target to{std::nullopt, 443};
  EXPECT_EQ(https_location(to, "chat.example.com:80", "/x"), "https://chat.example.com/x");
}

TEST(HttpsRedirect, RefusesHostsThatAreNotPlainHosts) {
  const https_redirect_target to{std::nullopt, 443};
  for (const auto* host : {"", "evil.example@good.example", "evil.example/path", "a b",
                           "good.example:80:81", "good.example:http", "[::1", "[]", "[zz::1]",
                           ".example", "-x.example", "good.example\\evil"}) {
    EXPECT_EQ(https_location(to, host, "/"), std::nullopt) << host;
  }
  EXPECT_EQ(https_location(to, std::string(300, 'a'), "/"), std::nullopt);
}

TEST(HttpsRedirect, OnlyAPathIsKept) {
  const https_redirect_target to{std::nullopt, 443};
  EXPECT_EQ(https_location(to, "good.example", "http://evil.example/x"), "https://good.example/");
  EXPECT_EQ(https_location(to, "good.example", "*"), "https://good.example/");
  EXPECT_EQ(https_location(to, "good.example", "//evil.example/x"),
            "https://good.example//evil.example/x");  // a path on our host, not an authority
}

TEST(HttpsRedirect, ThePublicUrlWinsOverTheHostHeader) {
  const https_redirect_target to{"https://chat.example.com", 8443};
  EXPECT_EQ(https_location(to, "other.example", "/r?x"), "https://chat.example.com/r?x");
  EXPECT_EQ(https_location(to, "", "/"), "https://chat.example.com/");
}

}  // namespace
}  // namespace chatterbox
