#include "chatterbox/protocol/server_frames.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace chatterbox {
namespace {

using json = nlohmann::json;

json parsed(const frame_ptr& frame) {
  EXPECT_NE(frame, nullptr);
  if (!frame) return nullptr;
  return json::parse(*frame);
}

std::set<std::string> keys_of(const json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.insert(key);
  return keys;
}

message sample(std::int64_t id, std::string text = "hi\nthere") {
  message m;
  m.id = id;
  m.seq = id + 55;
  m.user = "alice";
  m.text = std::move(text);
  m.ts = 1795000000000 + id;
  return m;
}

void expect_message_object(const json& object, const message& m) {
  EXPECT_EQ(keys_of(object),
            (std::set<std::string>{"id", "seq", "user", "text", "ts", "edited", "deleted"}));
  EXPECT_EQ(object.at("id"), m.id);
  EXPECT_EQ(object.at("seq"), m.seq);
  EXPECT_EQ(object.at("user"), m.user);
  EXPECT_EQ(object.at("text"), m.text);
  EXPECT_EQ(object.at("ts"), m.ts);
  EXPECT_EQ(object.at("edited"), m.edited);
  EXPECT_EQ(object.at("deleted"), m.deleted);
  EXPECT_TRUE(object.at("edited").is_boolean());
  EXPECT_TRUE(object.at("deleted").is_boolean());
}

TEST(server_frames_test, MessageObjectHasExactlyTheDocumentedFields) {
  auto m = sample(42);
  m.edited = true;
  const auto object = frames::message_object(m);
  expect_message_object(object, m);
  EXPECT_EQ(object, json::parse(R"({"id":42,"seq":97,"user":"alice","text":"hi\nthere",)"
                                R"("ts":1795000000042,"edited":true,"deleted":false})"));
}

TEST(server_frames_test, DeletedMessageIsATombstone) {
  auto m = sample(44, "");
  m.deleted = true;
  const auto object = frames::message_object(m);
  expect_message_object(object, m);
  EXPECT_EQ(object.at("text"), "");
  EXPECT_EQ(object.at("deleted"), true);
}

TEST(server_frames_test, NewMessageIsTheMessageObjectPlusType) {
  const auto m = sample(43);
  auto frame = parsed(frames::new_message(m));
  EXPECT_EQ(frame.at("type"), "message");
  frame.erase("type");
  expect_message_object(frame, m);
}

TEST(server_frames_test, Hello) {
  EXPECT_EQ(parsed(frames::hello("alice", 97)),
            json({{"type", "hello"}, {"user", "alice"}, {"seq", 97}, {"protocol", 1}}));
}

TEST(server_frames_test, HistoryLatestPageHasNullBefore) {
  const std::vector<message> page{sample(1), sample(2)};
  const auto frame = parsed(frames::history(std::nullopt, page, true));
  EXPECT_EQ(keys_of(frame), (std::set<std::string>{"type", "before", "messages", "has_more"}));
  EXPECT_EQ(frame.at("type"), "history");
  EXPECT_TRUE(frame.at("before").is_null());
  EXPECT_EQ(frame.at("has_more"), true);
  ASSERT_EQ(frame.at("messages").size(), 2u);
  expect_message_object(frame.at("messages")[0], page[0]);  // order kept: oldest first
  expect_message_object(frame.at("messages")[1], page[1]);
}

TEST(server_frames_test, HistoryEchoesBeforeAndEmptyPageIsAnArray) {
  const auto frame = parsed(frames::history(42, {}, false));
  EXPECT_EQ(frame.at("before"), 42);
  EXPECT_TRUE(frame.at("messages").is_array());
  EXPECT_TRUE(frame.at("messages").empty());
  EXPECT_EQ(frame.at("has_more"), false);
}

TEST(server_frames_test, Presence) {
  EXPECT_EQ(parsed(frames::presence({"alice", "bob"})),
            json::parse(R"({"type":"presence","users":["alice","bob"]})"));
  const auto empty = parsed(frames::presence({}));
  EXPECT_TRUE(empty.at("users").is_array());
  EXPECT_TRUE(empty.at("users").empty());
}

TEST(server_frames_test, ReceiptsIsAnObjectOfMarkers) {
  EXPECT_EQ(parsed(frames::receipts({{"alice", 42}, {"bob", 40}})),
            json::parse(R"({"type":"receipts","markers":{"alice":42,"bob":40}})"));
  const auto empty = parsed(frames::receipts({}));
  EXPECT_TRUE(empty.at("markers").is_object());  // {} not [] or null
  EXPECT_TRUE(empty.at("markers").empty());
}

TEST(server_frames_test, JoinAndLeave) {
  EXPECT_EQ(parsed(frames::join("alice")), json::parse(R"({"type":"join","user":"alice"})"));
  EXPECT_EQ(parsed(frames::leave("alice")), json::parse(R"({"type":"leave","user":"alice"})"));
}

TEST(server_frames_test, Ack) {
  EXPECT_EQ(parsed(frames::ack("c-1", 43, 1795000000123)),
            json::parse(R"({"type":"ack","client_id":"c-1","id":43,"ts":1795000000123})"));
}

TEST(server_frames_test, EditedAndDeleted) {
  EXPECT_EQ(parsed(frames::edited(43, 99, "hello")),
            json::parse(R"({"type":"edited","id":43,"seq":99,"text":"hello"})"));
  EXPECT_EQ(parsed(frames::deleted(44, 100)),
            json::parse(R"({"type":"deleted","id":44,"seq":100})"));
}

TEST(server_frames_test, Typing) {
  EXPECT_EQ(parsed(frames::typing("alice", true)),
            json::parse(R"({"type":"typing","user":"alice","active":true})"));
  EXPECT_EQ(parsed(frames::typing("alice", false)).at("active"), false);
}

TEST(server_frames_test, Seen) {
  EXPECT_EQ(parsed(frames::seen("bob", 43)),
            json::parse(R"({"type":"seen","user":"bob","id":43})"));
}

TEST(server_frames_test, Sync) {
  const std::vector<message> changed{sample(5), sample(3)};
  const auto frame = parsed(frames::sync(changed, 1097, true));
  EXPECT_EQ(keys_of(frame), (std::set<std::string>{"type", "messages", "seq", "has_more"}));
  EXPECT_EQ(frame.at("type"), "sync");
  EXPECT_EQ(frame.at("seq"), 1097);
  EXPECT_EQ(frame.at("has_more"), true);
  ASSERT_EQ(frame.at("messages").size(), 2u);
  expect_message_object(frame.at("messages")[0], changed[0]);
  expect_message_object(frame.at("messages")[1], changed[1]);

  const auto empty = parsed(frames::sync({}, 7, false));
  EXPECT_TRUE(empty.at("messages").is_array());
  EXPECT_EQ(empty.at("has_more"), false);
}

TEST(server_frames_test, ErrorWithIdRef) {
  EXPECT_EQ(parsed(frames::error("forbidden", "only the author can edit a message", 43)),
            json::parse(R"({"type":"error","code":"forbidden",)"
                        R"("message":"only the author can edit a message","ref":43})"));
}

TEST(server_frames_test, ErrorWithClientIdOrNullRef) {
  EXPECT_EQ(parsed(frames::error("text_empty", "text is empty", "c-1")).at("ref"), "c-1");
  const auto frame = parsed(frames::error("invalid_json", "bad", nullptr));
  ASSERT_TRUE(frame.contains("ref"));  // present, and null
  EXPECT_TRUE(frame.at("ref").is_null());
}

TEST(server_frames_test, TextRoundTripsUnicodeAndSpecialCharacters) {
  const std::string text = "é 😀 \"quoted\" \\ back\nslash\t</script>";
  const auto frame = parsed(frames::new_message(sample(9, text)));
  EXPECT_EQ(frame.at("text"), text);
}

TEST(server_frames_test, InvalidUtf8IsReplacedInsteadOfThrowing) {
  std::string bad = "ok \xff\xfe end";
  frame_ptr frame;
  ASSERT_NO_THROW(frame = frames::new_message(sample(9, bad)));
  const auto object = parsed(frame);  // still valid JSON
  const auto text = object.at("text").get<std::string>();
  EXPECT_EQ(text.rfind("ok ", 0), 0u);
  EXPECT_NE(text.find(" end"), std::string::npos);
  EXPECT_NE(text.find("\xEF\xBF\xBD"), std::string::npos);  // U+FFFD
}

TEST(server_frames_test, FramesAreCompactSingleLineJson) {
  const auto frame = frames::hello("alice", 1);
  EXPECT_EQ(frame->find('\n'), std::string::npos);
  EXPECT_EQ(frame->find(": "), std::string::npos);
}

// --- message_size: replies are budgeted in bytes before they are built ---

std::vector<message> awkward_messages() {
  std::vector<message> out;
  out.push_back(sample(1));
  auto extremes = sample(0, "");
  extremes.id = std::numeric_limits<std::int64_t>::max();
  extremes.seq = std::numeric_limits<std::int64_t>::min();
  extremes.ts = -1;
  extremes.deleted = true;
  out.push_back(extremes);
  auto edited = sample(0, "say \"hi\" \\ \x01\x1f\b\f\n\r\t end");
  edited.edited = true;
  out.push_back(edited);
  auto both = sample(-7, "é 😀 日本語 </script>");
  both.edited = true;
  both.deleted = true;
  out.push_back(both);
  auto invalid = sample(12, "ok \xff\xfe cut \xE2\x82");  // stored by hand: U+FFFD on the wire
  invalid.user = std::string("b\xC0\x80") + "b";          // an overlong NUL
  out.push_back(invalid);
  out.push_back(sample(99, std::string(4000, 'x')));
  std::string every_byte;
  for (int c = 0; c < 256; ++c) every_byte += static_cast<char>(c);
  out.push_back(sample(100, every_byte));
  return out;
}

TEST(server_frames_test, MessageSizeIsItsSizeInAHistoryOrSyncPage) {
  const auto empty_history = frames::history(std::nullopt, {}, false)->size();
  const auto empty_sync = frames::sync({}, 5, false)->size();
  for (const auto& m : awkward_messages()) {
    EXPECT_EQ(frames::message_size(m),
              frames::history(std::nullopt, {m}, false)->size() - empty_history)
        << m.id;
    EXPECT_EQ(frames::message_size(m), frames::sync({m}, 5, false)->size() - empty_sync) << m.id;
  }
  // A page is its messages, a comma between each, and the rest.
  const auto page = awkward_messages();
  std::size_t sizes = 0;
  for (const auto& m : page) sizes += frames::message_size(m);
  EXPECT_EQ(frames::history(std::nullopt, page, false)->size(),
            empty_history + sizes + page.size() - 1);
}

TEST(server_frames_test, MessageSizeIsItsSizeInANewMessageFrame) {
  constexpr std::string_view type_field = R"("type":"message",)";
  for (const auto& m : awkward_messages()) {
    EXPECT_EQ(frames::new_message(m)->size(), frames::message_size(m) + type_field.size()) << m.id;
  }
}

TEST(server_frames_test, MessageSizeMatchesTheObjectInTheFrame) {
  // The same, read from the frame itself: the message object of a one-message page, found
  // between the array's brackets, which the page's other fields never contain.
  for (const auto& m : awkward_messages()) {
    const auto frame = frames::history(std::nullopt, {m}, true);
    const auto open = frame->find("\"messages\":[");
    const auto close = frame->rfind("],\"has_more\"");
    ASSERT_NE(open, std::string::npos);
    ASSERT_NE(close, std::string::npos);
    const auto start = open + std::string_view("\"messages\":[").size();
    const std::string object = frame->substr(start, close - start);
    EXPECT_EQ(object.size(), frames::message_size(m)) << m.id;
    EXPECT_TRUE(json::parse(object).is_object()) << m.id;
  }
}

TEST(server_frames_test, PageOverheadBoundsEverythingButTheMessages) {
  constexpr auto min = std::numeric_limits<std::int64_t>::min();
  EXPECT_LE(frames::history(min, {}, false)->size(), frames::page_overhead);
  EXPECT_LE(frames::history(min, {}, true)->size(), frames::page_overhead);
  EXPECT_LE(frames::sync({}, min, false)->size(), frames::page_overhead);
}

}  // namespace
}  // namespace chatterbox
