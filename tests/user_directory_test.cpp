#include "chatterbox/chat/user_directory.hpp"
#include "chatterbox/text/ascii.hpp"

#include <gtest/gtest.h>

namespace chatterbox {
namespace {

TEST(user_directory_test, NamesAndIdsBothWays) {
  user_directory users;
  EXPECT_EQ(users.size(), 0u);
  users.add(1, "alice");
  users.add(2, "Bob");
  EXPECT_EQ(users.size(), 2u);
  ASSERT_NE(users.name_of(2), nullptr);
  EXPECT_EQ(*users.name_of(2), "Bob");
  EXPECT_EQ(users.name_of(3), nullptr);
  EXPECT_EQ(users.id_of("alice"), 1);
  EXPECT_EQ(users.id_of("nobody"), std::nullopt);
  EXPECT_EQ(users.id_of(""), std::nullopt);
}

TEST(user_directory_test, LookupsIgnoreAsciiCaseAndKeepTheRegisteredSpelling) {
  user_directory users;
  users.add(2, "Bob");
  EXPECT_EQ(users.id_of("bob"), 2);
  EXPECT_EQ(users.id_of("BOB"), 2);
  EXPECT_EQ(users.id_of("bOb"), 2);
  EXPECT_EQ(*users.name_of(*users.id_of("BOB")), "Bob");
  users.add(2, "Bob");  // again: still one user
  EXPECT_EQ(users.size(), 1u);
}

TEST(user_directory_test, AsciiLowerLeavesEverythingElseAlone) {
  EXPECT_EQ(ascii::lowered("AbC-_.09"), "abc-_.09");
  EXPECT_EQ(ascii::lowered("\xC3\x89t\xC3\xA9"), "\xC3\x89t\xC3\xA9");  // "Été": not ASCII
  EXPECT_EQ(ascii::lowered(""), "");
  EXPECT_EQ(ascii::lowered("@[`{"), "@[`{");  // neighbours of A-Z and a-z
}

}  // namespace
}  // namespace chatterbox
