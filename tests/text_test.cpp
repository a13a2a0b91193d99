#include "chatterbox/protocol/text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace chatterbox {
namespace {

constexpr auto newline_and_tab = allowed_controls::newline_and_tab;

TEST(text_test, FindsAControlCharacterWhereverItIs) {
  // Every position of texts longer than the eight bytes checked at a time.
  for (const auto& control :
       {std::string(1, '\0'), std::string("\x01"), std::string("\x1f"), std::string("\x7f"),
        std::string("\xC2\x80"), std::string("\xC2\x85"), std::string("\xC2\x9F")}) {
    for (std::size_t at = 0; at <= 24; ++at) {
      std::string text(24, 'a');
      text.insert(at, control);
      EXPECT_TRUE(has_control_character(text)) << at;
      EXPECT_TRUE(has_control_character(text, newline_and_tab)) << at;
    }
  }
}

TEST(text_test, NewlineAndTabAreAllowedOnlyWhenAsked) {
  for (const std::string text :
       {"line\nbreak, far enough to fill a word", "tab\there", "\n", "\t"}) {
    EXPECT_TRUE(has_control_character(text)) << text;
    EXPECT_FALSE(has_control_character(text, newline_and_tab)) << text;
  }
  EXPECT_TRUE(has_control_character("no carriage \r return", newline_and_tab));
  EXPECT_TRUE(has_control_character("no form \f feed", newline_and_tab));
  EXPECT_TRUE(has_control_character("no vertical \v tab", newline_and_tab));
}

TEST(text_test, OrdinaryTextHasNoControlCharacter) {
  for (const std::string text :
       {"", "plain ASCII, longer than eight bytes ~!", " \x20\x7e",
        "\xC2\xA0\xC2\xBF",  // U+00A0 and U+00BF, right after the C1 range
        "\xC4\x85\xC5\x82",  // ą and ł: continuation bytes 0x85 and 0x82 after other leads
        "\xE2\x80\x8B\xE2\x80\xA8",  // zero-width space, line separator
        "\xF0\x9F\x98\x80 and \xE4\xB8\xAD\xE6\x96\x87 mixed with ASCII"}) {
    EXPECT_FALSE(has_control_character(text)) << text;
  }
}

TEST(text_test, AC1ControlSplitAcrossTwoWordsIsFound) {
  std::string text(7, 'a');
  text += "\xC2\x85";  // the lead ends the first eight bytes, the continuation starts the next
  text += std::string(10, 'b');
  EXPECT_TRUE(has_control_character(text));
}

TEST(text_test, LineBreaksAreNormalisedToNewlines) {
  std::string storage;
  EXPECT_EQ(normalise_line_breaks("a\r\nb\rc\n\rd\r", storage), "a\nb\nc\n\nd\n");
  EXPECT_EQ(normalise_line_breaks("\r\r\n", storage), "\n\n");
}

TEST(text_test, TextWithoutCarriageReturnsIsNotCopied) {
  std::string storage;
  const std::string_view text = "nothing to do\nhere";
  const auto normalised = normalise_line_breaks(text, storage);
  EXPECT_EQ(normalised.data(), text.data());
  EXPECT_TRUE(storage.empty());
}

TEST(text_test, TrimsSpacesTabsAndLineBreaksOnly) {
  EXPECT_EQ(trim_whitespace(" \t\r\n hi there \n\t "), "hi there");
  EXPECT_EQ(trim_whitespace("\fhi\v"), "\fhi\v");
  EXPECT_EQ(trim_whitespace(" \n "), "");
}

TEST(text_test, FirstLineExcerptCutsAtTheFirstLineAndACodePointLimit) {
  EXPECT_EQ(first_line_excerpt("Ship it?\nDetails", 100), "Ship it?");
  EXPECT_EQ(first_line_excerpt("short", 100), "short");
  EXPECT_EQ(first_line_excerpt("", 100), "");
  EXPECT_EQ(first_line_excerpt("ééééé", 3), "ééé…");   // code points, not bytes
  EXPECT_EQ(first_line_excerpt("ab   cd", 4), "ab…");    // no space before the ellipsis
  EXPECT_EQ(first_line_excerpt("abc", 3), "abc");       // exactly the limit: not cut
}

TEST(text_test, AnEmojiHasNoLettersSpacesOrControls) {
  for (const char* good : {"👍", "❤️", "👨‍👩‍👧‍👦", "🇯🇵", "👍🏽", "1️⃣", "#", "+1", "✅"}) {
    EXPECT_TRUE(valid_emoji(good)) << good;
  }
  for (const char* bad : {"", "lol", "👍 ", " ", "\t", "a👍", "\u00A0", "\u200B", "\xff",
                          "👍👍👍👍👍👍👍👍👍👍👍👍👍👍👍👍👍"}) {
    EXPECT_FALSE(valid_emoji(bad)) << bad;
  }
}

}  // namespace
}  // namespace chatterbox
