#include "chatterbox/protocol/mentions.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace chatterbox {
namespace {

using views = std::vector<std::string_view>;

TEST(mentions_test, CandidatesAreTheUsernameRunsAfterAnAt) {
  EXPECT_EQ(mention_candidates("hi @bob"), (views{"bob"}));
  EXPECT_EQ(mention_candidates("@alice and @Bob_2 and @c.d-e"), (views{"alice", "Bob_2", "c.d-e"}));
  EXPECT_EQ(mention_candidates("@bob, @carol! (@dave) @eve?"),
            (views{"bob", "carol", "dave", "eve"}));
  EXPECT_EQ(mention_candidates("no mentions here"), views{});
  EXPECT_EQ(mention_candidates(""), views{});
}

TEST(mentions_test, ASentenceEndStaysInTheCandidateForTheChatToTrim) {
  EXPECT_EQ(mention_candidates("thanks @bob."), (views{"bob."}));
  EXPECT_EQ(mention_candidates("see @bob... later"), (views{"bob..."}));
}

TEST(mentions_test, AnAtInsideAWordIsNoMention) {
  EXPECT_EQ(mention_candidates("a@b"), views{});
  EXPECT_EQ(mention_candidates("mail bob@example.org"), views{});
  EXPECT_EQ(mention_candidates("x_@bob y.@bob z-@bob 9@bob"), views{});
  EXPECT_EQ(mention_candidates("@@bob"), views{});
  EXPECT_EQ(mention_candidates("@ bob @"), views{});  // nothing after the @
  // Letters beyond ASCII are not username characters: the @ starts a word after them.
  EXPECT_EQ(mention_candidates("\xC3\xA9@bob"), (views{"bob"}));
  EXPECT_EQ(mention_candidates("line\n@bob\t@carol"), (views{"bob", "carol"}));
}

TEST(mentions_test, HereIsACandidateLikeAnyName) {
  EXPECT_EQ(mention_candidates("@here standup"), (views{"here"}));
  EXPECT_EQ(mention_candidates("@HERE."), (views{"HERE."}));
}

TEST(mentions_test, ARunLongerThanAnyUsernameIsSkipped) {
  const std::string name32(32, 'a');
  const std::string name33(33, 'a');
  EXPECT_EQ(mention_candidates("@" + name32), (views{name32}));
  EXPECT_EQ(mention_candidates("@" + name33 + " @bob"), (views{"bob"}));
  // Trailing dots do not make a name too long.
  const auto dotted = "@" + name32 + "....";
  const auto found = mention_candidates(dotted);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].substr(0, 32), name32);
}

TEST(mentions_test, SpellingsDropTrailingDotsAndDashesLongestFirst) {
  EXPECT_EQ(mention_spellings("bob"), (views{"bob"}));
  EXPECT_EQ(mention_spellings("bob."), (views{"bob.", "bob"}));
  EXPECT_EQ(mention_spellings("bob.."), (views{"bob..", "bob.", "bob"}));
  EXPECT_EQ(mention_spellings("bob-."), (views{"bob-.", "bob-", "bob"}));
  EXPECT_EQ(mention_spellings("b.o.b"), (views{"b.o.b"}));  // inner dots are the name's
  EXPECT_EQ(mention_spellings("..."), (views{"...", "..", "."}));
}

}  // namespace
}  // namespace chatterbox
