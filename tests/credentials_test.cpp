#include "chatterbox/auth/credentials.hpp"

#include <gtest/gtest.h>

#include <string>

namespace chatterbox {
namespace {

TEST(Credentials, UsernameAcceptsAllowedCharacters) {
  EXPECT_TRUE(valid_username("a"));
  EXPECT_TRUE(valid_username("Alice_Bob-1.2"));
  EXPECT_TRUE(valid_username("ABCDEFGHIJKLMNOPQRSTUVWXYZ"));
  EXPECT_TRUE(valid_username("abcdefghijklmnopqrstuvwxyz012._-"));  // 32, every class
  EXPECT_TRUE(valid_username("..."));
}

TEST(Credentials, UsernameLengthIsOneToThirtyTwo) {
  EXPECT_FALSE(valid_username(""));
  EXPECT_TRUE(valid_username(std::string(32, 'x')));
  EXPECT_FALSE(valid_username(std::string(33, 'x')));
}

TEST(Credentials, UsernameRejectsOtherCharacters) {
  for (const char* bad : {"a b", "a@b", "a/b", "a:b", "a\tb", "a\nb", "é", "a+b", "<x>", "a;b"}) {
    EXPECT_FALSE(valid_username(bad)) << bad;
  }
  EXPECT_FALSE(valid_username(std::string("ab\0c", 4)));
}

TEST(Credentials, PasswordLengthIsEightToOneHundredTwentyEightBytes) {
  EXPECT_FALSE(valid_password(""));
  EXPECT_FALSE(valid_password(std::string(7, 'p')));
  EXPECT_TRUE(valid_password(std::string(8, 'p')));
  EXPECT_TRUE(valid_password(std::string(128, 'p')));
  EXPECT_FALSE(valid_password(std::string(129, 'p')));
}

TEST(Credentials, PasswordLengthCountsBytesAndAllowsAnyContent) {
  // Four two-byte characters are eight bytes.
  EXPECT_TRUE(valid_password("éééé"));
  EXPECT_FALSE(valid_password("ééé"));
  EXPECT_TRUE(valid_password("with spaces and \t tabs"));
  EXPECT_TRUE(valid_password(std::string("nul\0inside", 10)));
}

}  // namespace
}  // namespace chatterbox
