#include "chatterbox/protocol/flat_json.hpp"

#include "chatterbox/protocol/flat_json_fast_reader.hpp"
#include "chatterbox/protocol/flat_json_sax_reader.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace chatterbox {
namespace {

using kind = flat_value::kind;
using status = flat_json_status;

// Whatever path parse_flat_object takes, it must read a frame within the limits exactly as
// nlohmann::json does.
void expect_same_as_nlohmann(const std::string& text) {
  const auto flat = parse_flat_object(text);
  const auto reference = nlohmann::json::parse(text, nullptr, false);
  if (reference.is_discarded() || !reference.is_object()) {
    EXPECT_EQ(flat.status, status::invalid_json) << text;
    return;
  }
  ASSERT_EQ(flat.status, status::ok) << text;
  EXPECT_EQ(flat.object.size(), reference.size()) << text;
  for (const auto& [key, value] : reference.items()) {
    const auto* field = flat.object.find(key);
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
    } else if (value.is_array() && value.size() <= max_list_strings &&
               std::all_of(value.begin(), value.end(),
                           [](const nlohmann::json& item) { return item.is_string(); })) {
      EXPECT_EQ(field->type, kind::string_list) << text;
      EXPECT_EQ(field->strings, value.get<std::vector<std::string>>()) << text;
    } else if (value.is_array() || value.is_object()) {
      EXPECT_EQ(field->type, kind::other) << text;
    }
  }
}

// The SAX reader is the authority; the fast reader either agrees with it or declines.
void expect_readers_agree(const std::string& text) {
  flat_object fast;
  flat_object sax;
  const auto sax_status = read_flat_object_sax(text, sax);
  const auto fast_status = read_flat_object_fast(text, fast);
  if (!fast_status) return;
  EXPECT_EQ(*fast_status, sax_status) << text;
  if (sax_status != status::ok) return;
  ASSERT_EQ(fast.size(), sax.size()) << text;
  for (std::size_t i = 0; i < fast.size(); ++i) {
    const auto& [fast_key, fast_value] = fast.begin()[i];
    const auto& [sax_key, sax_value] = sax.begin()[i];
    EXPECT_EQ(fast_key, sax_key) << text;
    EXPECT_EQ(fast_value.type, sax_value.type) << text;
    EXPECT_EQ(fast_value.boolean, sax_value.boolean) << text;
    EXPECT_EQ(fast_value.integer, sax_value.integer) << text;
    EXPECT_EQ(fast_value.string, sax_value.string) << text;
    EXPECT_EQ(fast_value.strings, sax_value.strings) << text;
  }
}

// {"k000000":<value>,"k000001":<value>,...} with `count` members. The key of member number
// `break_at` (counting from 1) is followed by `garbage` instead of a colon and value.
std::string many_fields(std::size_t count, std::string_view value, std::size_t break_at = 0,
                        std::string_view garbage = "") {
  std::string out = "{";
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out += ',';
    const auto number = std::to_string(i);
    out.append("\"k").append(6 - number.size(), '0').append(number).append("\"");
    if (i + 1 == break_at) {
      out.append(garbage);
    } else {
      out.append(":").append(value);
    }
  }
  return out + "}";
}

std::string nested(std::size_t levels, std::string_view inner = "1") {
  return std::string(levels, '[') + std::string(inner) + std::string(levels, ']');
}

TEST(flat_json_test, ReadsAClientFrame) {
  const auto parsed = parse_flat_object(
      R"({"type":"send","client_id":"c-1","text":"hi","id":42,"active":true,"before":null})");
  ASSERT_EQ(parsed.status, status::ok);
  const auto& frame = parsed.object;
  EXPECT_EQ(frame.find("type")->string, "send");
  EXPECT_EQ(frame.find("client_id")->string, "c-1");
  EXPECT_EQ(frame.find("id")->type, kind::integer);
  EXPECT_EQ(frame.find("id")->integer, 42);
  EXPECT_EQ(frame.find("active")->boolean, true);
  EXPECT_EQ(frame.find("before")->type, kind::null);
  EXPECT_EQ(frame.find("missing"), nullptr);
}

TEST(flat_json_test, DecodesEscapesLikeAnyJsonParser) {
  for (const std::string text : {
           R"({"t":"line\nbreak \"quoted\" back\\slash \/ \b\f\r\t"})",
           R"({"t":"\u00e9\u4e2d\ud83d\ude00"})",
           R"({"t":"caf\u00E9 plain é and 😀"})",
           R"({ "spaced" : "out" , "n" : -7 })",
       }) {
    expect_same_as_nlohmann(text);
    expect_readers_agree(text);
  }
}

TEST(flat_json_test, NonScalarValuesAreOfTypeOther) {
  const auto parsed = parse_flat_object(
      R"({"a":[1,2],"o":{"x":1},"f":1.5,"e":1e3,"big":18446744073709551615,"ok":1})");
  ASSERT_EQ(parsed.status, status::ok);
  for (const char* key : {"a", "o", "f", "e", "big"}) {
    EXPECT_EQ(parsed.object.find(key)->type, kind::other) << key;
  }
  EXPECT_EQ(parsed.object.find("ok")->integer, 1);
}

TEST(flat_json_test, IntegersAtTheEdgesOfSixtyFourBits) {
  const auto parsed =
      parse_flat_object(R"({"max":9223372036854775807,"min":-9223372036854775808})");
  ASSERT_EQ(parsed.status, status::ok);
  EXPECT_EQ(parsed.object.find("max")->integer, std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(parsed.object.find("min")->integer, std::numeric_limits<std::int64_t>::min());
}

TEST(flat_json_test, ARepeatedKeyKeepsItsLastValue) {
  // Either path: the second frame's array sends it through the SAX reader.
  for (const std::string text :
       {R"({"type":"edit","type":"send"})", R"({"type":"edit","a":[1],"type":"send"})"}) {
    const auto parsed = parse_flat_object(text);
    ASSERT_EQ(parsed.status, status::ok) << text;
    EXPECT_EQ(parsed.object.find("type")->string, "send") << text;
    EXPECT_EQ(parsed.object.begin()->first, "type") << "keeps its first position";
    expect_readers_agree(text);
  }
}

TEST(flat_json_test, AnythingButAJsonObjectIsRefused) {
  for (const std::string text : {"",
                                 "   ",
                                 "[]",
                                 "\"send\"",
                                 "42",
                                 "null",
                                 "{",
                                 R"({"a":1} trailing)",
                                 R"({"a":1,})",
                                 R"({"a" 1})",
                                 R"({a:1})",
                                 R"({"a":01})",
                                 R"({"a":-})",
                                 R"({"a":tru})",
                                 R"({"a":"\ud800"})",
                                 R"({"a":"\udc00"})",
                                 R"({"a":"\x41"})",
                                 "{\"a\":\"raw\ncontrol\"}",
                                 "{\"a\":\"\xC0\x80\"}",
                                 "{\"a\":\"cut \xE2\x82\"}"}) {
    EXPECT_EQ(parse_flat_object(text).status, status::invalid_json) << text;
    expect_same_as_nlohmann(text);
    expect_readers_agree(text);
  }
}

TEST(flat_json_test, EmptyObjectHasNoFields) {
  const auto parsed = parse_flat_object(" { } ");
  ASSERT_EQ(parsed.status, status::ok);
  EXPECT_EQ(parsed.object.size(), 0u);
  EXPECT_EQ(parsed.object.find("type"), nullptr);
}

// --- the field limit: both readers stop at the first field over it ---

TEST(flat_json_test, AnObjectWithTheMaximumNumberOfFieldsIsRead) {
  // Integers take the fast path, fractions the SAX one.
  for (const std::string value : {"7", "1.5", "[1]"}) {
    const auto text = many_fields(max_frame_fields, value);
    const auto parsed = parse_flat_object(text);
    ASSERT_EQ(parsed.status, status::ok) << text;
    EXPECT_EQ(parsed.object.size(), max_frame_fields);
    expect_same_as_nlohmann(text);
    expect_readers_agree(text);
  }
}

TEST(flat_json_test, OneFieldOverTheLimitIsRefused) {
  for (const std::string value : {"7", "1.5", "[1]"}) {
    const auto text = many_fields(max_frame_fields + 1, value);
    EXPECT_EQ(parse_flat_object(text).status, status::too_many_fields) << text;
    expect_readers_agree(text);
  }
}

TEST(flat_json_test, FourThousandSixHundredDistinctKeysAreRefused) {
  for (const std::string value : {"7", "1.5", "\"x\""}) {
    const auto text = many_fields(4600, value);
    EXPECT_EQ(parse_flat_object(text).status, status::too_many_fields) << value;
  }
}

// Linear time without a clock: a frame that is invalid JSON right after the ninth key is still
// refused for its field count, so neither reader can have looked past that key. Whatever the
// frame's size, each reads at most the first nine members.
TEST(flat_json_test, ReadersStopAtTheFirstKeyOverTheLimit) {
  for (const std::string value : {"7", "1.5", "{\"nested\":[true]}"}) {
    const auto text = many_fields(4600, value, max_frame_fields + 1, "}}}not json at all");
    ASSERT_GT(text.size(), 55'000u);
    EXPECT_EQ(parse_flat_object(text).status, status::too_many_fields) << value;

    flat_object sax;
    EXPECT_EQ(read_flat_object_sax(text, sax), status::too_many_fields) << value;
    flat_object fast;
    const auto fast_status = read_flat_object_fast(text, fast);
    if (value == "7") {
      ASSERT_TRUE(fast_status);
      EXPECT_EQ(*fast_status, status::too_many_fields);
    } else {
      EXPECT_FALSE(fast_status) << "the fast reader leaves nested values and fractions to SAX";
    }
  }
}

TEST(flat_json_test, InvalidJsonBeforeTheLimitIsInvalidJson) {
  // Broken right after the eighth key: the readers never reach a ninth.
  const auto text = many_fields(4600, "7", max_frame_fields, " oops");
  EXPECT_EQ(parse_flat_object(text).status, status::invalid_json);
  expect_readers_agree(text);
}

TEST(flat_json_test, RepeatedKeysCountTowardsTheLimit) {
  std::string text = "{";
  for (std::size_t i = 0; i < max_frame_fields; ++i) text += R"("a":)" + std::to_string(i) + ",";
  const auto at_limit = parse_flat_object(text.substr(0, text.size() - 1) + "}");
  ASSERT_EQ(at_limit.status, status::ok);
  EXPECT_EQ(at_limit.object.size(), 1u);
  EXPECT_EQ(at_limit.object.find("a")->integer, static_cast<std::int64_t>(max_frame_fields - 1));

  EXPECT_EQ(parse_flat_object(text + R"("a":99})").status, status::too_many_fields);
  expect_readers_agree(text + R"("a":99})");
}

TEST(flat_json_test, KeysOfNestedObjectsDoNotCount) {
  const auto text = R"({"type":"x","o":)" + many_fields(100, "1") + "}";
  const auto parsed = parse_flat_object(text);
  ASSERT_EQ(parsed.status, status::ok);
  EXPECT_EQ(parsed.object.size(), 2u);
  EXPECT_EQ(parsed.object.find("o")->type, kind::other);
  expect_same_as_nlohmann(text);
}

// --- nesting depth ---

TEST(flat_json_test, NestingUpToTheLimitIsRead) {
  // The frame object is the first level.
  const auto text = R"({"a":)" + nested(max_frame_depth - 1) + R"(,"b":2})";
  const auto parsed = parse_flat_object(text);
  ASSERT_EQ(parsed.status, status::ok) << text;
  EXPECT_EQ(parsed.object.find("a")->type, kind::other);
  EXPECT_EQ(parsed.object.find("b")->integer, 2);
  expect_same_as_nlohmann(text);
}

TEST(flat_json_test, NestingBeyondTheLimitIsRefusedWithoutReadingFurther) {
  const auto text = R"({"a":)" + nested(max_frame_depth) + "}";
  EXPECT_EQ(parse_flat_object(text).status, status::too_deep) << text;
  std::string objects = "{";
  for (std::size_t i = 0; i < max_frame_depth; ++i) objects += R"("a":{)";
  objects += "not json";
  EXPECT_EQ(parse_flat_object(objects).status, status::too_deep) << objects;
  const auto deep_and_broken = R"({"a":)" + std::string(60'000, '[');
  EXPECT_EQ(parse_flat_object(deep_and_broken).status, status::too_deep);
}

TEST(flat_json_test, ADeepArrayIsNotAnObject) {
  EXPECT_EQ(parse_flat_object(nested(100)).status, status::invalid_json);
  EXPECT_EQ(parse_flat_object(std::string(60'000, '[')).status, status::invalid_json);
}

TEST(flat_json_test, ReadersAgreeOnOrdinaryFrames) {
  for (const std::string text :
       {R"({"type":"send","client_id":"c-1","text":"hi"})", R"({"type":"typing","active":false})",
        R"({"type":"history","before":null,"limit":50})", R"({"a":-0,"b":0,"c":-12})",
        R"({"t":"\u0000\u001f\u007f\u0085 \r\n"})", "{\"t\":\"\xC2\x85 raw C1\"}",
        R"({"a":9223372036854775808})", R"({"a":-9223372036854775809})", R"({"a":1E400})"}) {
    expect_readers_agree(text);
    expect_same_as_nlohmann(text);
  }
}

// --- lists of strings (protocol 2: `users`) ---

TEST(flat_json_test, ATopLevelArrayOfStringsIsAStringList) {
  for (const std::string text : {
           R"({"type":"watch","users":["alice","bob"]})",
           R"({"type":"open_dm","users":[]})",
           R"({"users":[ "a" , "b\n\u00e9\"" ],"n":1})",
           R"({"users":["dup","dup"]})",
       }) {
    const auto parsed = parse_flat_object(text);
    ASSERT_EQ(parsed.status, status::ok) << text;
    EXPECT_EQ(parsed.object.find("users")->type, kind::string_list) << text;
    expect_same_as_nlohmann(text);
    expect_readers_agree(text);
  }
  EXPECT_EQ(parse_flat_object(R"({"users":["alice","bob"]})").object.find("users")->strings,
            (std::vector<std::string>{"alice", "bob"}));
  EXPECT_TRUE(parse_flat_object(R"({"users":[]})").object.find("users")->strings.empty());
}

TEST(flat_json_test, AListHoldingAnythingButStringsIsOther) {
  for (const std::string list :
       {R"([1])", R"(["a",1])", R"(["a",null])", R"(["a",true])", R"(["a",1.5])", R"(["a",["b"]])",
        R"([["a"]])", R"(["a",{"b":"c"}])", R"([{"b":"c"},"a"])", R"(["a",18446744073709551615])",
        R"(["a",[]])"}) {
    const auto text = R"({"users":)" + list + R"(,"after":"x"})";
    const auto parsed = parse_flat_object(text);
    ASSERT_EQ(parsed.status, status::ok) << text;
    EXPECT_EQ(parsed.object.find("users")->type, kind::other) << text;
    EXPECT_TRUE(parsed.object.find("users")->strings.empty()) << text;
    EXPECT_EQ(parsed.object.find("after")->string, "x") << text;  // read on after it
    expect_same_as_nlohmann(text);
  }
}

std::string string_list(std::size_t count) {
  std::string out = "[";
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out += ',';
    out += "\"u" + std::to_string(i) + "\"";
  }
  return out + "]";
}

TEST(flat_json_test, AListHoldsAtMostMaxListStrings) {
  const auto at_limit = parse_flat_object(R"({"users":)" + string_list(max_list_strings) + "}");
  ASSERT_EQ(at_limit.status, status::ok);
  EXPECT_EQ(at_limit.object.find("users")->type, kind::string_list);
  EXPECT_EQ(at_limit.object.find("users")->strings.size(), max_list_strings);
  EXPECT_EQ(at_limit.object.find("users")->strings.back(),
            "u" + std::to_string(max_list_strings - 1));
  const auto over =
      parse_flat_object(R"({"users":)" + string_list(max_list_strings + 1) + R"(,"n":2})");
  ASSERT_EQ(over.status, status::ok);
  EXPECT_EQ(over.object.find("users")->type, kind::other);
  EXPECT_TRUE(over.object.find("users")->strings.empty());
  EXPECT_EQ(over.object.find("n")->integer, 2);
}

TEST(flat_json_test, ARepeatedListKeyKeepsOnlyItsLastValue) {
  auto parsed = parse_flat_object(R"({"users":["a","b"],"users":["c"]})");
  ASSERT_EQ(parsed.status, status::ok);
  EXPECT_EQ(parsed.object.find("users")->strings, std::vector<std::string>{"c"});
  parsed = parse_flat_object(R"({"users":["a","b"],"users":"c"})");
  EXPECT_EQ(parsed.object.find("users")->type, kind::string);
  EXPECT_TRUE(parsed.object.find("users")->strings.empty());
  parsed = parse_flat_object(R"({"users":"c","users":["a"]})");
  EXPECT_EQ(parsed.object.find("users")->type, kind::string_list);
  EXPECT_EQ(parsed.object.find("users")->strings, std::vector<std::string>{"a"});
  parsed = parse_flat_object(R"({"users":["a",1],"users":["b"]})");
  EXPECT_EQ(parsed.object.find("users")->type, kind::string_list);
  EXPECT_EQ(parsed.object.find("users")->strings, std::vector<std::string>{"b"});
}

TEST(flat_json_test, ListsInsideNestedValuesAreNotFields) {
  const auto text = R"({"o":{"users":["a"]},"users":["b"]})";
  const auto parsed = parse_flat_object(text);
  ASSERT_EQ(parsed.status, status::ok);
  EXPECT_EQ(parsed.object.size(), 2u);
  EXPECT_EQ(parsed.object.find("o")->type, kind::other);
  EXPECT_EQ(parsed.object.find("users")->strings, std::vector<std::string>{"b"});
  expect_same_as_nlohmann(text);
}

TEST(flat_json_test, AListCountsAsOneFieldAndOneLevel) {
  std::string text = R"({"users":)" + string_list(100);
  for (std::size_t i = 1; i < max_frame_fields; ++i) text += ",\"k" + std::to_string(i) + "\":1";
  EXPECT_EQ(parse_flat_object(text + "}").status, status::ok);
  EXPECT_EQ(parse_flat_object(text + R"(,"one_more":1})").status, status::too_many_fields);
  // A list nested as deep as allowed is still read (as `other`); one level more is refused.
  const auto deep = R"({"users":)" + nested(max_frame_depth - 1, R"("a")") + "}";
  EXPECT_EQ(parse_flat_object(deep).status, status::ok);
  EXPECT_EQ(parse_flat_object(R"({"users":)" + nested(max_frame_depth, R"("a")") + "}").status,
            status::too_deep);
}

}  // namespace
}  // namespace chatterbox
