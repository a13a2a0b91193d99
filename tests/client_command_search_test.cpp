// Frames of search and of history's after/around (docs/protocol.md, "search", "history").

#include "chatterbox/protocol/client_command.hpp"

#include "support/parse_frame.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <variant>

namespace chatterbox {
namespace {

using json = nlohmann::json;

using test_support::parse_error;
using test_support::parse_ok;

std::string search_frame(const json& query) {
  return json{{"type", "search"}, {"query", query}}.dump();
}

TEST(client_command_search_test, ParsesEveryField) {
  const auto command = parse_ok<search_command>(
      R"({"type":"search","query":"deplo* from:alice","before":900,"limit":30,"tz_offset":-300})");
  EXPECT_EQ(command.query, "deplo* from:alice");
  EXPECT_EQ(command.before, 900);
  EXPECT_EQ(command.limit, 30);
  EXPECT_EQ(command.tz_offset, -300);
}

TEST(client_command_search_test, DefaultsAndClampedLimit) {
  const auto bare = parse_ok<search_command>(R"({"type":"search","query":"x"})");
  EXPECT_FALSE(bare.before);
  EXPECT_EQ(bare.limit, 20);
  EXPECT_EQ(bare.tz_offset, 0);
  EXPECT_EQ(parse_ok<search_command>(R"({"type":"search","query":"x","limit":500})").limit, 50);
  EXPECT_EQ(parse_ok<search_command>(R"({"type":"search","query":"x","limit":0})").limit, 1);
}

TEST(client_command_search_test, QueryMustBeOneToFiveHundredCharactersOfText) {
  EXPECT_EQ(parse_ok<search_command>(search_frame(std::string(500, '"'))).query.size(), 500u);
  // Code points, not bytes: 500 two-byte letters are fine.
  std::string accents;
  for (int i = 0; i < 500; ++i) accents += "é";
  EXPECT_EQ(parse_ok<search_command>(search_frame(accents)).query, accents);
  for (const auto& frame :
       {search_frame(""), search_frame(std::string(501, 'a')), search_frame("a\x01" "b"),
        search_frame("\x02"), search_frame(42), std::string(R"({"type":"search"})")}) {
    const auto error = parse_error(frame);
    EXPECT_EQ(error.code, "invalid_field") << frame;
    EXPECT_EQ(error.ref, json(nullptr)) << frame;
  }
}

TEST(client_command_search_test, TimeZoneOffsetIsBounded) {
  EXPECT_EQ(parse_ok<search_command>(R"({"type":"search","query":"x","tz_offset":840})").tz_offset,
            840);
  for (const std::string_view frame : {R"({"type":"search","query":"x","tz_offset":841})",
                                       R"({"type":"search","query":"x","tz_offset":-841})",
                                       R"({"type":"search","query":"x","tz_offset":"+09:00"})"}) {
    EXPECT_EQ(parse_error(frame).code, "invalid_field") << frame;
  }
}

TEST(client_command_search_test, HistoryTakesAfterOrAround) {
  const auto after = parse_ok<history_command>(R"({"type":"history","room":2,"after":40})");
  EXPECT_EQ(after.after, 40);
  EXPECT_FALSE(after.before);
  EXPECT_FALSE(after.around);
  const auto around =
      parse_ok<history_command>(R"({"type":"history","room":2,"around":41,"limit":10})");
  EXPECT_EQ(around.around, 41);
  EXPECT_EQ(around.limit, 10);
}

TEST(client_command_search_test, HistoryTakesAtMostOneCursor) {
  for (const std::string_view frame : {R"({"type":"history","room":2,"before":4,"after":1})",
                                       R"({"type":"history","room":2,"after":4,"around":1})",
                                       R"({"type":"history","room":2,"before":4,"around":1})",
                                       R"({"type":"history","room":2,"after":"4"})"}) {
    const auto error = parse_error(frame);
    EXPECT_EQ(error.code, "invalid_field") << frame;
    EXPECT_EQ(error.ref, json(2)) << frame;
  }
  // null is "not given", as everywhere.
  EXPECT_EQ(parse_ok<history_command>(R"({"type":"history","room":2,"before":null,"after":3})")
                .after,
            3);
}

}  // namespace
}  // namespace chatterbox
