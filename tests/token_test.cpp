#include "chatterbox/auth/token.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace chatterbox {
namespace {

bool url_safe(const std::string& s) {
  return s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
         std::string::npos;
}

TEST(Token, GeneratedTokenIs43UrlSafeCharacters) {
  const auto token = generate_token();
  EXPECT_EQ(token.size(), 43u);
  EXPECT_TRUE(url_safe(token)) << token;
  EXPECT_TRUE(well_formed_token(token));
}

TEST(Token, GeneratedTokensAreDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(generate_token());
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Token, DigestIsStableLowercaseHexSha256) {
  // Known SHA-256 test vector, so the digest is the real hash and not just any 64 hex chars.
  EXPECT_EQ(token_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const auto token = generate_token();
  const auto digest = token_digest(token);
  EXPECT_EQ(digest.size(), 64u);
  EXPECT_EQ(digest.find_first_not_of("0123456789abcdef"), std::string::npos) << digest;
  EXPECT_EQ(token_digest(token), digest);
  EXPECT_NE(token_digest(generate_token()), digest);
}

TEST(Token, DigestOfEmptyInput) {
  EXPECT_EQ(token_digest(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Token, WellFormedRequiresExactLengthAndAlphabet) {
  const std::string good(43, 'A');
  EXPECT_TRUE(well_formed_token(good));
  EXPECT_TRUE(well_formed_token(std::string(21, '-') + std::string(22, '_')));
  EXPECT_FALSE(well_formed_token(""));
  EXPECT_FALSE(well_formed_token(std::string(42, 'A')));
  EXPECT_FALSE(well_formed_token(std::string(44, 'A')));
  for (char bad : {'+', '/', '=', ' ', '.', '\0', '%'}) {
    auto token = good;
    token[10] = bad;
    EXPECT_FALSE(well_formed_token(token)) << int(bad);
  }
}

TEST(Cookie, FindsNamedCookieAmongOthers) {
  EXPECT_EQ(find_cookie("a=1; chatterbox_token=xyz; b=2", "chatterbox_token"), "xyz");
  EXPECT_EQ(find_cookie("chatterbox_token=xyz", "chatterbox_token"), "xyz");
  EXPECT_EQ(find_cookie("a=1;b=2", "b"), "2");
}

TEST(Cookie, ToleratesWhitespace) {
  EXPECT_EQ(find_cookie("  a = 1 ;\tb=\t2\t; ", "b"), "2");
  EXPECT_EQ(find_cookie("a=1 ", "a"), "1");
}

TEST(Cookie, NameMustMatchExactlyNotAsPrefixOrSuffix) {
  EXPECT_EQ(find_cookie("tokenx=1; xtoken=2", "token"), std::nullopt);
  EXPECT_EQ(find_cookie("tokenx=1; token=3", "token"), "3");
  EXPECT_EQ(find_cookie("Token=1", "token"), std::nullopt);
}

TEST(Cookie, SkipsPairsWithoutEquals) {
  EXPECT_EQ(find_cookie("token; token=abc", "token"), "abc");
  EXPECT_EQ(find_cookie("garbage;;; a=1", "a"), "1");
  EXPECT_EQ(find_cookie("token", "token"), std::nullopt);
}

TEST(Cookie, EmptyValueIsPresentButEmpty) {
  const auto v = find_cookie("a=; b=2", "a");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(*v, "");
}

TEST(Cookie, ValueMayContainEqualsAndQuotesAreStripped) {
  EXPECT_EQ(find_cookie("a=x=y", "a"), "x=y");
  EXPECT_EQ(find_cookie("a=\"quoted\"", "a"), "quoted");
  EXPECT_EQ(find_cookie("a=\"", "a"), "\"");
}

TEST(Cookie, FirstMatchWins) { EXPECT_EQ(find_cookie("a=1; a=2", "a"), "1"); }

TEST(Cookie, AbsentOrEmptyInputs) {
  EXPECT_EQ(find_cookie("", "a"), std::nullopt);
  EXPECT_EQ(find_cookie(";;", "a"), std::nullopt);
  EXPECT_EQ(find_cookie("a=1", ""), std::nullopt);
  EXPECT_EQ(find_cookie("=1", ""), std::nullopt);
}

TEST(Bearer, ExtractsToken) { EXPECT_EQ(bearer_token("Bearer abc.DEF-_~+/="), "abc.DEF-_~+/="); }

TEST(Bearer, SchemeIsCaseInsensitive) {
  EXPECT_EQ(bearer_token("bearer abc"), "abc");
  EXPECT_EQ(bearer_token("BEARER abc"), "abc");
  EXPECT_EQ(bearer_token("bEaReR abc"), "abc");
}

TEST(Bearer, ToleratesSurroundingAndRepeatedWhitespace) {
  EXPECT_EQ(bearer_token("  Bearer   abc  "), "abc");
  EXPECT_EQ(bearer_token("Bearer\tabc"), "abc");
}

TEST(Bearer, RejectsOtherForms) {
  EXPECT_EQ(bearer_token(""), std::nullopt);
  EXPECT_EQ(bearer_token("Bearer"), std::nullopt);
  EXPECT_EQ(bearer_token("Bearer "), std::nullopt);
  EXPECT_EQ(bearer_token("Bearer    "), std::nullopt);
  EXPECT_EQ(bearer_token("Bearerabc"), std::nullopt);
  EXPECT_EQ(bearer_token("Basic YWxhZGRpbjpvcGVuc2VzYW1l"), std::nullopt);
  EXPECT_EQ(bearer_token("Bear abc"), std::nullopt);
  EXPECT_EQ(bearer_token("abc"), std::nullopt);
  EXPECT_EQ(bearer_token("Bearer a b"), std::nullopt);
  EXPECT_EQ(bearer_token("Token Bearer abc"), std::nullopt);
}

}  // namespace
}  // namespace chatterbox
