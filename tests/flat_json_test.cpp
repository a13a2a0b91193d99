#include "chatterbox/protocol/flat_json.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <limits>
#include <string>
#include <vector>

namespace chatterbox {
namespace {

using kind = flat_value::kind;

// Whatever path parse_flat_object takes, it must read a frame exactly as nlohmann::json does.
void expect_same_as_nlohmann(const std::string& text) {
  const auto flat = parse_flat_object(text);
  const auto reference = nlohmann::json::parse(text, nullptr, false);
  if (reference.is_discarded() || !reference.is_object()) {
    EXPECT_FALSE(flat) << text;
    return;
  }
  ASSERT_TRUE(flat) << text;
  for (const auto& [key, value] : reference.items()) {
    const auto* field = flat->find(key);
    ASSERT_TRUE(field) << text << " / " << key;
    if (value.is_string()) {
      EXPECT_EQ(field->type, kind::string) << text;
      EXPECT_EQ(field->string, value.get<std::string>()) << text;
    } else if (value.is_boolean()) {
      EXPECT_EQ(field->type, kind::boolean) << text;
      EXPECT_EQ(field->boolean, value.get<bool>()) << text;
    } else if (value.is_null()) {
      EXPECT_EQ(field->type, kind::null) << text;
    } else if (value.is_number_integer() && !value.is_number_unsigned()) {
      EXPECT_EQ(field->type, kind::integer) << text;
      EXPECT_EQ(field->integer, value.get<std::int64_t>()) << text;
    }
  }
}

TEST(flat_json_test, ReadsAClientFrame) {
  const auto frame = parse_flat_object(
      R"({"type":"send","client_id":"c-1","text":"hi","id":42,"active":true,"before":null})");
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->find("type")->string, "send");
  EXPECT_EQ(frame->find("client_id")->string, "c-1");
  EXPECT_EQ(frame->find("id")->type, kind::integer);
  EXPECT_EQ(frame->find("id")->integer, 42);
  EXPECT_EQ(frame->find("active")->boolean, true);
  EXPECT_EQ(frame->find("before")->type, kind::null);
  EXPECT_EQ(frame->find("missing"), nullptr);
}

TEST(flat_json_test, DecodesEscapesLikeAnyJsonParser) {
  for (const std::string text : {
           R"({"t":"line\nbreak \"quoted\" back\\slash \/ \b\f\r\t"})",
           R"({"t":"\u00e9\u4e2d\ud83d\ude00"})",
           R"({"t":"caf\u00E9 plain é and 😀"})",
           R"({ "spaced" : "out" , "n" : -7 })",
       }) {
    expect_same_as_nlohmann(text);
  }
}

TEST(flat_json_test, NonScalarValuesAreOfTypeOther) {
  const auto frame = parse_flat_object(
      R"({"a":[1,2],"o":{"x":1},"f":1.5,"e":1e3,"big":18446744073709551615,"ok":1})");
  ASSERT_TRUE(frame);
  for (const char* key : {"a", "o", "f", "e", "big"}) EXPECT_EQ(frame->find(key)->type, kind::other) << key;
  EXPECT_EQ(frame->find("ok")->integer, 1);
}

TEST(flat_json_test, IntegersAtTheEdgesOfSixtyFourBits) {
  const auto frame = parse_flat_object(R"({"max":9223372036854775807,"min":-9223372036854775808})");
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->find("max")->integer, std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(frame->find("min")->integer, std::numeric_limits<std::int64_t>::min());
}

TEST(flat_json_test, ARepeatedKeyKeepsItsLastValue) {
  const auto frame = parse_flat_object(R"({"type":"edit","type":"send"})");
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->find("type")->string, "send");
}

TEST(flat_json_test, AnythingButAJsonObjectIsRefused) {
  for (const std::string text :
       {"", "   ", "[]", "\"send\"", "42", "null", "{", R"({"a":1} trailing)", R"({"a":1,})",
        R"({"a" 1})", R"({a:1})", R"({"a":01})", R"({"a":-})", R"({"a":tru})",
        R"({"a":"\ud800"})", R"({"a":"\udc00"})", R"({"a":"\x41"})", "{\"a\":\"raw\ncontrol\"}",
        "{\"a\":\"\xC0\x80\"}", "{\"a\":\"cut \xE2\x82\"}"}) {
    EXPECT_FALSE(parse_flat_object(text)) << text;
    expect_same_as_nlohmann(text);
  }
}

TEST(flat_json_test, EmptyObjectHasNoFields) {
  const auto frame = parse_flat_object(" { } ");
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->find("type"), nullptr);
}

}  // namespace
}  // namespace chatterbox
