#include "chatterbox/protocol/json_out.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

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

// --- sizes computed ahead (replies are budgeted in bytes before they are built) ---

std::size_t appended_size(std::string_view text) { return as_json(text).size(); }

std::size_t appended_int_size(std::int64_t value) {
  std::string out = "prefix";  // what is appended, not what the string holds
  json_out::append_int(out, value);
  return out.size() - 6;
}

TEST(json_out_test, StringSizeIsWhatAppendStringAppends) {
  const std::string fffd = "\xEF\xBF\xBD";
  for (const std::string& text :
       {std::string(), std::string("plain ascii"), std::string("say \"hi\" \\ now \\\""),
        std::string("a\nb\tc\rd\be\ff"), std::string("nul\0byte", 8), std::string("\x7F del"),
        std::string("héllo 日本語 😀"), std::string("\xF4\x8F\xBF\xBF"), fffd,
        std::string("a\xFF") + "b", std::string("\xC0\x80"), std::string("\xED\xA0\x80"),
        std::string("\xF4\x90\x80\x80"), std::string("cut \xE2\x82"), std::string("\x80\x80"),
        std::string("\xF0\x9F\x98"), std::string("mixed \"\x01\xC3\xA9\xFF\\")}) {
    EXPECT_EQ(json_out::string_size(text), appended_size(text))
        << nlohmann::json(text).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
  }
}

TEST(json_out_test, StringSizeOfEverySingleByte) {
  for (int c = 0; c < 256; ++c) {
    const std::string text(1, static_cast<char>(c));
    EXPECT_EQ(json_out::string_size(text), appended_size(text)) << "byte " << c;
  }
  // Every control character by itself and inside text.
  for (int c = 0; c < 0x20; ++c) {
    const std::string text = "x" + std::string(1, static_cast<char>(c)) + "y";
    EXPECT_EQ(json_out::string_size(text), appended_size(text)) << "control " << c;
  }
}

TEST(json_out_test, StringSizeOfEveryPairOfBytes) {
  // Covers every lead byte followed by every possible next byte: valid two-byte sequences,
  // stray continuation bytes, cut sequences, escapes next to multibyte bytes.
  std::string text(2, '\0');
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      text[0] = static_cast<char>(a);
      text[1] = static_cast<char>(b);
      const auto expected = appended_size(text);
      if (json_out::string_size(text) != expected) {
        ADD_FAILURE() << "bytes " << a << " " << b << ": " << json_out::string_size(text)
                      << " != " << expected;
        return;
      }
    }
  }
}

TEST(json_out_test, StringSizeOfRandomBytes) {
  // Biased towards the bytes that change the size: escapes, lead and continuation bytes.
  const std::string alphabet = std::string("a\"\\\n\x01\x1F\x7F", 7) +
                               "\x80\xBF\xC2\xDF\xE0\xED\xEF\xF0\xF4\xF5\xFF\xC0\xA0\x8F\x90";
  std::mt19937 random(12345);  // fixed: a failure must be reproducible
  for (int round = 0; round < 20000; ++round) {
    std::string text(random() % 12, '\0');
    for (auto& c : text) c = alphabet[random() % alphabet.size()];
    const auto expected = appended_size(text);
    if (json_out::string_size(text) != expected) {
      ADD_FAILURE() << "round " << round << ": " << json_out::string_size(text)
                    << " != " << expected;
      return;
    }
  }
}

TEST(json_out_test, IntSizeIsWhatAppendIntAppends) {
  constexpr auto min = std::numeric_limits<std::int64_t>::min();
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  std::vector<std::int64_t> values = {0, 1, -1, min, max, min + 1, max - 1};
  // Either side of every change in the number of digits.
  for (std::int64_t power = 1; power <= max / 10; power *= 10) {
    for (const std::int64_t value :
         {power * 10 - 1, power * 10, -(power * 10 - 1), -(power * 10)}) {
      values.push_back(value);
    }
  }
  for (const auto value : values) {
    EXPECT_EQ(json_out::int_size(value), appended_int_size(value)) << value;
  }
  EXPECT_EQ(json_out::int_size(min), 20u);
  EXPECT_EQ(json_out::int_size(max), 19u);
}

}  // namespace
}  // namespace chatterbox
