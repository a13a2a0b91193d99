#include "chatterbox/protocol/json_out.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <string>

namespace chatterbox {
namespace {

std::string as_json(std::string_view text) {
  std::string out;
  json_out::append_string(out, text);
  return out;
}

// What a client's JSON parser makes of our output.
std::string round_trip(std::string_view text) {
  return nlohmann::json::parse(as_json(text)).get<std::string>();
}

TEST(json_out_test, PlainTextIsQuotedAsIs) { EXPECT_EQ(as_json("hello there"), "\"hello there\""); }

TEST(json_out_test, QuotesBackslashesAndControlCharactersAreEscaped) {
  EXPECT_EQ(as_json("say \"hi\" \\ now"), R"("say \"hi\" \\ now")");
  EXPECT_EQ(as_json("a\nb\tc\rd"), R"("a\nb\tc\rd")");
  EXPECT_EQ(as_json(std::string("\x01\x1f", 2)), R"("\u0001\u001f")");
  EXPECT_EQ(round_trip(std::string("nul\0byte", 8)), std::string("nul\0byte", 8));
}

TEST(json_out_test, ValidUtf8PassesThroughUnchanged) {
  for (const std::string text : {"héllo", "日本語", "emoji 😀 end", "\xF4\x8F\xBF\xBF"}) {
    EXPECT_EQ(as_json(text), "\"" + text + "\"") << text;
    EXPECT_EQ(round_trip(text), text);
  }
}

TEST(json_out_test, InvalidUtf8BecomesReplacementCharacters) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(round_trip("a\xFF" "b"), "a" + fffd + "b");
  EXPECT_EQ(round_trip("\xC0\x80"), fffd + fffd);            // overlong NUL
  EXPECT_EQ(round_trip("\xED\xA0\x80"), fffd + fffd + fffd);  // surrogate
  EXPECT_EQ(round_trip("\xF4\x90\x80\x80"), fffd + fffd + fffd + fffd);  // above U+10FFFF
  EXPECT_EQ(round_trip("cut \xE2\x82"), "cut " + fffd + fffd);          // truncated sequence
}

TEST(json_out_test, IntegersCoverTheWholeRange) {
  for (const std::int64_t value : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1764000000000},
                                   std::numeric_limits<std::int64_t>::min(),
                                   std::numeric_limits<std::int64_t>::max()}) {
    std::string out;
    json_out::append_int(out, value);
    EXPECT_EQ(nlohmann::json::parse(out).get<std::int64_t>(), value);
  }
}

}  // namespace
}  // namespace chatterbox
