#include "chatterbox/protocol/client_command.hpp"

#include "chatterbox/protocol/flat_json.hpp"
#include "support/parse_frame.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace chatterbox {
namespace {

using json = nlohmann::json;

using test_support::parse_error;
using test_support::parse_ok;

std::string repeat(std::string_view unit, std::size_t times) {
  std::string out;
  out.reserve(unit.size() * times);
  for (std::size_t i = 0; i < times; ++i) out.append(unit);
  return out;
}

std::string send_frame(const std::string& client_id, const std::string& text) {
  return json{{"type", "send"}, {"room", 1}, {"client_id", client_id}, {"text", text}}.dump();
}

std::string edit_frame(const std::string& text) {
  return json{{"type", "edit"}, {"id", 3}, {"text", text}}.dump();
}

// A send frame with `extra` unused fields "x000000":1, "x000001":1, ... after the four it needs.
std::string send_with_extra_fields(std::size_t extra, std::string_view tail = "") {
  std::string out = R"({"type":"send","room":1,"client_id":"c-1","text":"hi")";
  for (std::size_t i = 0; i < extra; ++i) {
    const auto number = std::to_string(i);
    out.append(",\"x").append(6 - number.size(), '0').append(number).append("\":1");
  }
  return out.append(tail).append("}");
}

// Every Unicode control character (category Cc) as UTF-8.
std::vector<std::string> control_characters() {
  std::vector<std::string> out;
  for (char c = 0; c < 0x20; ++c) out.emplace_back(1, c);
  out.emplace_back("\x7f");
  for (int c = 0x80; c <= 0x9f; ++c) {
    out.push_back({static_cast<char>(0xC2), static_cast<char>(c)});
  }
  return out;
}

std::string escaped(const std::string& text) { return json(text).dump(); }

// --- every frame type ---

TEST(client_command_test, ParsesSend) {
  const auto command =
      parse_ok<send_command>(R"({"type":"send","room":7,"client_id":"c-1","text":"hi"})");
  EXPECT_EQ(command.room, 7);
  EXPECT_EQ(command.client_id, "c-1");
  EXPECT_EQ(command.text, "hi");
}

TEST(client_command_test, ParsesEdit) {
  const auto command = parse_ok<edit_command>(R"({"type":"edit","id":42,"text":"hello"})");
  EXPECT_EQ(command.id, 42);
  EXPECT_EQ(command.text, "hello");
}

TEST(client_command_test, ParsesDelete) {
  EXPECT_EQ(parse_ok<delete_command>(R"({"type":"delete","id":7})").id, 7);
}

TEST(client_command_test, ParsesTypingTrueAndFalse) {
  const auto typing = parse_ok<typing_command>(R"({"type":"typing","room":7,"active":true})");
  EXPECT_TRUE(typing.active);
  EXPECT_EQ(typing.room, 7);
  EXPECT_FALSE(parse_ok<typing_command>(R"({"type":"typing","room":1,"active":false})").active);
}

TEST(client_command_test, ParsesSeen) {
  const auto seen = parse_ok<seen_command>(R"({"type":"seen","room":7,"id":42})");
  EXPECT_EQ(seen.id, 42);
  EXPECT_EQ(seen.room, 7);
}

TEST(client_command_test, ParsesHistoryWithBeforeAndLimit) {
  const auto command =
      parse_ok<history_command>(R"({"type":"history","room":7,"before":42,"limit":20})");
  EXPECT_EQ(command.room, 7);
  ASSERT_TRUE(command.before.has_value());
  EXPECT_EQ(*command.before, 42);
  EXPECT_EQ(command.limit, 20);
}

TEST(client_command_test, HistoryDefaultsToLatestFiftyMessages) {
  const auto bare = parse_ok<history_command>(R"({"type":"history","room":1})");
  EXPECT_FALSE(bare.before.has_value());
  EXPECT_EQ(bare.limit, 50);
  EXPECT_EQ(bare.limit, default_history_limit);

  const auto nulls =
      parse_ok<history_command>(R"({"type":"history","room":1,"before":null,"limit":null})");
  EXPECT_FALSE(nulls.before.has_value());
  EXPECT_EQ(nulls.limit, 50);
}

TEST(client_command_test, HistoryLimitIsClampedToOneThroughHundred) {
  const auto limit = [](std::string_view value) {
    return parse_ok<history_command>(R"({"type":"history","room":1,"limit":)" + std::string(value) +
                                     "}")
        .limit;
  };
  EXPECT_EQ(limit("0"), 1);
  EXPECT_EQ(limit("-5"), 1);
  EXPECT_EQ(limit("1"), 1);
  EXPECT_EQ(limit("100"), 100);
  EXPECT_EQ(limit("101"), 100);
  EXPECT_EQ(limit("1000000000000"), 100);
}

TEST(client_command_test, ParsesSync) {
  EXPECT_EQ(parse_ok<sync_command>(R"({"type":"sync","since":97})").since, 97);
  EXPECT_EQ(parse_ok<sync_command>(R"({"type":"sync","since":0})").since, 0);
}

TEST(client_command_test, UnknownExtraFieldsAreIgnored) {
  const auto command = parse_ok<send_command>(
      R"({"type":"send","room":1,"client_id":"c","text":"x","extra":[1,2]})");
  EXPECT_EQ(command.text, "x");
}

// --- frame shape ---

TEST(client_command_test, MalformedJsonIsInvalidJsonWithNullRef) {
  for (const std::string_view frame :
       {R"({"type":"send",)", "", "not json", R"({"type":"send","client_id":"c-1")"}) {
    const auto error = parse_error(frame);
    EXPECT_EQ(error.code, "invalid_json") << frame;
    EXPECT_TRUE(error.ref.is_null()) << frame;
  }
}

TEST(client_command_test, NonObjectJsonIsInvalidJson) {
  for (const std::string_view frame : {"[]", R"([{"type":"send","client_id":"c","text":"x"}])",
                                       R"("send")", "42", "null", "true"}) {
    const auto error = parse_error(frame);
    EXPECT_EQ(error.code, "invalid_json") << frame;
    EXPECT_TRUE(error.ref.is_null()) << frame;
  }
}

TEST(client_command_test, InvalidUtf8IsInvalidJson) {
  const std::string frame = "{\"type\":\"send\",\"client_id\":\"c\",\"text\":\"\xff\xfe\"}";
  EXPECT_EQ(parse_error(frame).code, "invalid_json");
}

TEST(client_command_test, MissingTypeIsUnknownType) {
  const auto error = parse_error(R"({"text":"hi"})");
  EXPECT_EQ(error.code, "unknown_type");
  EXPECT_TRUE(error.ref.is_null());
}

TEST(client_command_test, NonStringTypeIsUnknownType) {
  EXPECT_EQ(parse_error(R"({"type":5})").code, "unknown_type");
  EXPECT_EQ(parse_error(R"({"type":null})").code, "unknown_type");
  EXPECT_EQ(parse_error(R"({"type":["send"]})").code, "unknown_type");
}

TEST(client_command_test, UnknownTypeIsRejected) {
  const auto error = parse_error(R"({"type":"shout","text":"hi"})");
  EXPECT_EQ(error.code, "unknown_type");
  EXPECT_NE(error.message.find("shout"), std::string::npos) << error.message;
  EXPECT_TRUE(error.ref.is_null());
}

TEST(client_command_test, TypeIsCaseSensitive) {
  EXPECT_EQ(parse_error(R"({"type":"SEND","client_id":"c","text":"x"})").code, "unknown_type");
}

// --- send ---

TEST(client_command_test, SendMissingTextRefsClientId) {
  const auto error = parse_error(R"({"type":"send","room":1,"client_id":"c-9"})");
  EXPECT_EQ(error.code, "invalid_field");
  EXPECT_EQ(error.ref, json("c-9"));
}

TEST(client_command_test, SendNonStringTextIsInvalidField) {
  const auto error = parse_error(R"({"type":"send","room":1,"client_id":"c-9","text":5})");
  EXPECT_EQ(error.code, "invalid_field");
  EXPECT_EQ(error.ref, json("c-9"));
}

TEST(client_command_test, SendMissingClientIdIsInvalidFieldWithNullRef) {
  const auto error = parse_error(R"({"type":"send","room":1,"text":"hi"})");
  EXPECT_EQ(error.code, "invalid_field");
  EXPECT_NE(error.message.find("client_id"), std::string::npos) << error.message;
  EXPECT_TRUE(error.ref.is_null());
}

TEST(client_command_test, SendNumericClientIdIsInvalidFieldWithNullRef) {
  const auto error = parse_error(R"({"type":"send","room":1,"client_id":12,"text":"hi"})");
  EXPECT_EQ(error.code, "invalid_field");
  EXPECT_TRUE(error.ref.is_null());
}

TEST(client_command_test, ClientIdMustBeOneToSixtyFourCharacters) {
  const auto empty = parse_error(R"({"type":"send","room":1,"client_id":"","text":"hi"})");
  EXPECT_EQ(empty.code, "invalid_field");
  EXPECT_EQ(empty.ref, json(""));

  EXPECT_EQ(parse_ok<send_command>(send_frame("a", "hi")).client_id, "a");
  const std::string longest(64, 'x');
  EXPECT_EQ(parse_ok<send_command>(send_frame(longest, "hi")).client_id, longest);

  const std::string too_long(65, 'x');
  const auto error = parse_error(send_frame(too_long, "hi"));
  EXPECT_EQ(error.code, "invalid_field");
  EXPECT_EQ(error.ref, json(too_long));
}

TEST(client_command_test, ClientIdLengthCountsCodePoints) {
  // 64 two-byte characters are 128 bytes but still 64 characters.
  const auto id = repeat("é", 64);
  EXPECT_EQ(parse_ok<send_command>(send_frame(id, "hi")).client_id, id);
  EXPECT_EQ(parse_error(send_frame(repeat("é", 65), "hi")).code, "invalid_field");
}

TEST(client_command_test, SendTextIsTrimmed) {
  EXPECT_EQ(parse_ok<send_command>(send_frame("c", "  \t\n hi\nthere \r\n\r ")).text, "hi\nthere");
  // Inner whitespace is kept as typed.
  EXPECT_EQ(parse_ok<send_command>(send_frame("c", "a  b\t\tc\n\nd")).text, "a  b\t\tc\n\nd");
}

TEST(client_command_test, SendTextEmptyAfterTrimIsTextEmpty) {
  for (const std::string text : {"", " ", "\n\t \r\n", "\r", "\r\r\n\t"}) {
    const auto error = parse_error(send_frame("c-2", text));
    EXPECT_EQ(error.code, "text_empty") << json(text).dump();
    EXPECT_EQ(error.ref, json("c-2"));
  }
}

TEST(client_command_test, TextLimitIsFourThousandCodePointsOfMultiByteUtf8) {
  const auto longest = repeat("é", 4000);  // 8000 bytes
  EXPECT_EQ(parse_ok<send_command>(send_frame("c", longest)).text, longest);
  const auto emoji = repeat("😀", 4000);  // 16000 bytes
  EXPECT_EQ(parse_ok<send_command>(send_frame("c", emoji)).text, emoji);

  const auto error = parse_error(send_frame("c-3", repeat("é", 4001)));
  EXPECT_EQ(error.code, "text_too_long");
  EXPECT_EQ(error.ref, json("c-3"));
}

TEST(client_command_test, TextLimitAppliesAfterTrimming) {
  const auto text = "   " + repeat("a", 4000) + "\n\n";
  EXPECT_EQ(parse_ok<send_command>(send_frame("c", text)).text, repeat("a", 4000));
  EXPECT_EQ(parse_error(send_frame("c", repeat("a", 4001))).code, "text_too_long");
}

// --- control characters and line breaks in text ---

TEST(client_command_test, ControlCharactersInTextAreInvalidField) {
  for (const auto& control : control_characters()) {
    if (control == "\n" || control == "\t" || control == "\r") continue;
    // Inside, at either end, and after a run of ASCII long enough to be skipped a word at a time.
    for (const auto& text : {"a" + control + "b", control + "hi", "hi" + control,
                             std::string(37, 'x') + control + std::string(5, 'y')}) {
      const auto error = parse_error(send_frame("c-4", text));
      EXPECT_EQ(error.code, "invalid_field") << escaped(text);
      EXPECT_NE(error.message.find("control characters"), std::string::npos) << error.message;
      EXPECT_EQ(error.ref, json("c-4"));
    }
  }
}

TEST(client_command_test, FormFeedAndVerticalTabAreRefusedNotTrimmed) {
  for (const std::string text : {"hi\f", "\vhi", " hi \f\v ", "\f\v", "a\fb"}) {
    EXPECT_EQ(parse_error(send_frame("c", text)).code, "invalid_field") << escaped(text);
  }
}

TEST(client_command_test, EscapedAndRawControlCharactersAreRefusedAlike) {
  for (const std::string_view frame :
       {R"({"type":"send","room":1,"client_id":"c","text":"nul \u0000"})",
        R"({"type":"send","room":1,"client_id":"c","text":"bell \u0007"})",
        R"({"type":"send","room":1,"client_id":"c","text":"del \u007f"})",
        R"({"type":"send","room":1,"client_id":"c","text":"next line \u0085"})",
        "{\"type\":\"send\",\"room\":1,\"client_id\":\"c\",\"text\":\"raw del \x7f\"}",
        "{\"type\":\"send\",\"room\":1,\"client_id\":\"c\",\"text\":\"raw C1 \xC2\x9F\"}"}) {
    const auto error = parse_error(frame);
    EXPECT_EQ(error.code, "invalid_field") << frame;
    EXPECT_NE(error.message.find("control characters"), std::string::npos) << error.message;
  }
}

TEST(client_command_test, NewlineTabAndTheNeighboursOfControlCharactersAreKept) {
  // U+007E, U+00A0 (no-break space), U+00A1, zero-width space, line separator, U+FEFF.
  for (const std::string text : {"a\nb\tc", "tilde ~", "nbsp\u00a0x", "\u00a1!", "zw\u200bsp",
                                 "ls\u2028x", "bom\ufeffx", "caf\u00e9 \U0001F600"}) {
    EXPECT_EQ(parse_ok<send_command>(send_frame("c", text)).text, text) << escaped(text);
  }
}

TEST(client_command_test, CarriageReturnsBecomeNewlines) {
  EXPECT_EQ(parse_ok<send_command>(send_frame("c", "a\r\nb")).text, "a\nb");
  EXPECT_EQ(parse_ok<send_command>(send_frame("c", "a\rb")).text, "a\nb");
  EXPECT_EQ(parse_ok<send_command>(send_frame("c", "a\r\r\nb\n\rc")).text, "a\n\nb\n\nc");
  EXPECT_EQ(parse_ok<send_command>(send_frame("c", "\r\nhi\r\n")).text, "hi");
  EXPECT_EQ(parse_ok<edit_command>(edit_frame("line 1\r\nline 2")).text, "line 1\nline 2");
}

TEST(client_command_test, TextLimitCountsNormalisedLineBreaks) {
  // 4001 code points as sent, 4000 once \r\n is one newline.
  const auto text = repeat("a", 3998) + "\r\n" + "a";
  EXPECT_EQ(parse_ok<send_command>(send_frame("c", text)).text, repeat("a", 3998) + "\na");
}

TEST(client_command_test, EditTextRefusesControlCharacters) {
  const auto error = parse_error(edit_frame("fixed\x1b[31m"));
  EXPECT_EQ(error.code, "invalid_field");
  EXPECT_EQ(error.ref, json(3));
}

TEST(client_command_test, ClientIdRefusesEveryControlCharacter) {
  // Even newline and tab: the id is echoed in acks and errors and has no use for them.
  for (const auto& control : control_characters()) {
    const auto client_id = "c-" + control;
    const auto error = parse_error(send_frame(client_id, "hi"));
    EXPECT_EQ(error.code, "invalid_field") << escaped(client_id);
    EXPECT_NE(error.message.find("client_id"), std::string::npos) << error.message;
    EXPECT_EQ(error.ref, json(client_id)) << "the client can still match the error to its message";
  }
  EXPECT_EQ(parse_ok<send_command>(send_frame("c-\u00a0-é", "hi")).client_id, "c-\u00a0-é");
}

// --- field count and nesting ---

TEST(client_command_test, AFrameWithTheMaximumNumberOfFieldsIsAccepted) {
  EXPECT_EQ(parse_ok<send_command>(send_with_extra_fields(max_frame_fields - 4)).text, "hi");
}

TEST(client_command_test, AFrameWithOneFieldTooManyIsInvalidJsonWithNullRef) {
  const auto error = parse_error(send_with_extra_fields(max_frame_fields - 3));
  EXPECT_EQ(error.code, "invalid_json");
  EXPECT_NE(error.message.find("more than 8 fields"), std::string::npos) << error.message;
  EXPECT_TRUE(error.ref.is_null());
}

TEST(client_command_test, AFrameWithThousandsOfFieldsIsInvalidJson) {
  const auto frame = send_with_extra_fields(4600);
  ASSERT_GT(frame.size(), 55'000u);
  const auto error = parse_error(frame);
  EXPECT_EQ(error.code, "invalid_json");
  EXPECT_NE(error.message.find("fields"), std::string::npos) << error.message;
}

// The parser stops at the ninth key: what follows it is never read, so a frame of any size costs
// no more than its first nine fields (the structural proof of linear time; no clock needed).
TEST(client_command_test, TheFieldLimitIsFoundBeforeAnythingAfterIt) {
  std::string frame = send_with_extra_fields(max_frame_fields - 3, " this is not JSON");
  frame.append(60'000, '{');
  const auto error = parse_error(frame);
  EXPECT_EQ(error.code, "invalid_json");
  EXPECT_NE(error.message.find("fields"), std::string::npos) << error.message;
}

TEST(client_command_test, DeeplyNestedFramesAreInvalidJson) {
  const std::string frame = R"({"type":"send","room":1,"client_id":"c","text":"hi","x":)" +
                            std::string(max_frame_depth, '[') + std::string(max_frame_depth, ']') +
                            "}";
  const auto error = parse_error(frame);
  EXPECT_EQ(error.code, "invalid_json");
  EXPECT_NE(error.message.find("nested"), std::string::npos) << error.message;
  EXPECT_TRUE(error.ref.is_null());
}

// --- edit / delete / seen ---

TEST(client_command_test, EditTextFollowsSendRules) {
  EXPECT_EQ(parse_ok<edit_command>(R"({"type":"edit","id":3,"text":"  new \n"})").text, "new");

  const auto empty = parse_error(R"({"type":"edit","id":3,"text":"   "})");
  EXPECT_EQ(empty.code, "text_empty");
  EXPECT_EQ(empty.ref, json(3));

  const auto too_long =
      parse_error(json{{"type", "edit"}, {"id", 3}, {"text", repeat("é", 4001)}}.dump());
  EXPECT_EQ(too_long.code, "text_too_long");
  EXPECT_EQ(too_long.ref, json(3));

  const auto missing = parse_error(R"({"type":"edit","id":3})");
  EXPECT_EQ(missing.code, "invalid_field");
  EXPECT_EQ(missing.ref, json(3));
}

// The id-carrying frames share their checks; each is tried with every bad id.
class message_id_frames : public ::testing::TestWithParam<std::string> {
 protected:
  std::string frame(const std::string& id_json) const {
    std::string out = R"({"type":")" + GetParam() + R"(")";
    if (!id_json.empty()) out += R"(,"id":)" + id_json;
    if (GetParam() == "edit") out += R"(,"text":"hi")";
    if (GetParam() == "seen" || GetParam() == "seen_by") out += R"(,"room":1)";
    return out + "}";
  }
};

TEST_P(message_id_frames, MissingIdIsInvalidFieldWithNullRef) {
  const auto error = parse_error(frame(""));
  EXPECT_EQ(error.code, "invalid_field");
  EXPECT_NE(error.message.find("id"), std::string::npos) << error.message;
  EXPECT_TRUE(error.ref.is_null());
}

TEST_P(message_id_frames, NullIdIsInvalidField) {
  const auto error = parse_error(frame("null"));
  EXPECT_EQ(error.code, "invalid_field");
  EXPECT_TRUE(error.ref.is_null());
}

TEST_P(message_id_frames, StringIdIsInvalidFieldWithNullRef) {
  const auto error = parse_error(frame(R"("42")"));
  EXPECT_EQ(error.code, "invalid_field");
  EXPECT_TRUE(error.ref.is_null());
}

TEST_P(message_id_frames, FloatIdIsInvalidFieldWithNullRef) {
  for (const std::string id : {"1.5", "42.0", "1e3"}) {
    const auto error = parse_error(frame(id));
    EXPECT_EQ(error.code, "invalid_field") << id;
    EXPECT_TRUE(error.ref.is_null()) << id;
  }
}

TEST_P(message_id_frames, NonPositiveIdIsInvalidFieldWithIdRef) {
  const auto negative = parse_error(frame("-3"));
  EXPECT_EQ(negative.code, "invalid_field");
  EXPECT_EQ(negative.ref, json(-3));

  const auto zero = parse_error(frame("0"));
  EXPECT_EQ(zero.code, "invalid_field");
  EXPECT_EQ(zero.ref, json(0));
}

TEST_P(message_id_frames, IdBeyondInt64IsInvalidField) {
  EXPECT_EQ(parse_error(frame("9223372036854775808")).code, "invalid_field");
}

TEST_P(message_id_frames, LargestInt64IdIsAccepted) {
  const auto result = parse_client_frame(frame("9223372036854775807"));
  EXPECT_TRUE(std::holds_alternative<client_command>(result));
}

TEST_P(message_id_frames, BooleanIdIsInvalidField) {
  const auto error = parse_error(frame("true"));
  EXPECT_EQ(error.code, "invalid_field");
  EXPECT_TRUE(error.ref.is_null());
}

INSTANTIATE_TEST_SUITE_P(client_command_test, message_id_frames,
                         ::testing::Values("edit", "delete", "seen", "seen_by"));

// --- typing / history / sync ---

TEST(client_command_test, TypingActiveMustBeBoolean) {
  for (const std::string_view frame :
       {R"({"type":"typing","room":1})", R"({"type":"typing","room":1,"active":"true"})",
        R"({"type":"typing","room":1,"active":1})",
        R"({"type":"typing","room":1,"active":null})"}) {
    const auto error = parse_error(frame);
    EXPECT_EQ(error.code, "invalid_field") << frame;
    EXPECT_EQ(error.ref, json(1)) << frame;  // the room it names
  }
}

TEST(client_command_test, HistoryWrongTypedFieldsAreInvalidField) {
  for (const std::string_view frame : {R"({"type":"history","room":1,"limit":"10"})",
                                       R"({"type":"history","room":1,"limit":10.5})",
                                       R"({"type":"history","room":1,"before":"42"})",
                                       R"({"type":"history","room":1,"before":4.2})",
                                       R"({"type":"history","room":1,"before":true})"}) {
    const auto error = parse_error(frame);
    EXPECT_EQ(error.code, "invalid_field") << frame;
    EXPECT_EQ(error.ref, json(1)) << frame;
  }
}

TEST(client_command_test, SyncSinceIsRequiredNonNegativeInteger) {
  for (const std::string_view frame :
       {R"({"type":"sync"})", R"({"type":"sync","since":null})", R"({"type":"sync","since":-1})",
        R"({"type":"sync","since":"5"})", R"({"type":"sync","since":5.5})",
        R"({"type":"sync","since":false})"}) {
    const auto error = parse_error(frame);
    EXPECT_EQ(error.code, "invalid_field") << frame;
    EXPECT_TRUE(error.ref.is_null()) << frame;
  }
}

// docs/protocol.md: "`ref` echoes the offending frame's `client_id` (for `send`) or `id` (for
// `edit`, `delete`, `seen`), else `null`." The parser instead echoes whichever of client_id/id a
// frame happens to carry, whatever its type.
TEST(client_command_test, RefFollowsTheFrameTypeNotWhicheverFieldIsPresent) {
  const auto edit = parse_error(R"({"type":"edit","id":42,"client_id":"c-1","text":" "})");
  EXPECT_EQ(edit.code, "text_empty");
  EXPECT_EQ(edit.ref, json(42));

  const auto typing = parse_error(R"({"type":"typing","id":42,"active":"yes"})");
  EXPECT_EQ(typing.code, "invalid_field");
  EXPECT_TRUE(typing.ref.is_null());

  const auto unknown = parse_error(R"({"type":"shout","client_id":"c-1"})");
  EXPECT_EQ(unknown.code, "unknown_type");
  EXPECT_TRUE(unknown.ref.is_null());
}

TEST(client_command_test, SendMayNameTheMessageItRepliesTo) {
  const auto plain = parse_ok<send_command>(send_frame("c-1", "hi"));
  EXPECT_FALSE(plain.reply_to.has_value());
  const auto reply =
      parse_ok<send_command>(R"({"type":"send","room":1,"client_id":"c-1","text":"yes","reply_to":42})");
  EXPECT_EQ(reply.reply_to, 42);
  const auto null_reply =
      parse_ok<send_command>(R"({"type":"send","room":1,"client_id":"c-1","text":"yes","reply_to":null})");
  EXPECT_FALSE(null_reply.reply_to.has_value());
  for (const char* bad : {R"({"type":"send","room":1,"client_id":"c-1","text":"yes","reply_to":0})",
                          R"({"type":"send","room":1,"client_id":"c-1","text":"yes","reply_to":"42"})"}) {
    const auto error = parse_error(bad);
    EXPECT_EQ(error.code, "invalid_field") << bad;
    EXPECT_EQ(error.ref, "c-1") << bad;
  }
}

TEST(client_command_test, ReactNamesAMessageAnEmojiAndOnOrOff) {
  const auto on = parse_ok<react_command>(R"({"type":"react","id":42,"emoji":"👍","on":true})");
  EXPECT_EQ(on.id, 42);
  EXPECT_EQ(on.emoji, "👍");
  EXPECT_TRUE(on.on);
  EXPECT_FALSE(parse_ok<react_command>(R"({"type":"react","id":42,"emoji":"👍","on":false})").on);
  for (const char* bad : {R"({"type":"react","id":42,"emoji":"lol","on":true})",
                          R"({"type":"react","id":42,"emoji":"👍"})",
                          R"({"type":"react","id":42,"on":true})",
                          R"({"type":"react","id":42,"emoji":7,"on":true})"}) {
    const auto error = parse_error(bad);
    EXPECT_EQ(error.code, "invalid_field") << bad;
    EXPECT_EQ(error.ref, 42) << bad;
  }
  EXPECT_EQ(parse_error(R"({"type":"react","emoji":"👍","on":true})").code, "invalid_field");
}

}  // namespace
}  // namespace chatterbox
