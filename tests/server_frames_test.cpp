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
  m.room = 1;
  m.seq = id + 55;
  m.user = "alice";
  m.text = std::move(text);
  m.ts = 1795000000000 + id;
  return m;
}

void expect_message_object(const json& object, const message& m) {
  std::set<std::string> keys{"id", "room", "seq", "user", "text", "ts", "edited", "deleted"};
  if (!m.mentions.empty()) keys.insert("mentions");  // omitted when empty
  EXPECT_EQ(keys_of(object), keys);
  EXPECT_EQ(object.at("id"), m.id);
  EXPECT_EQ(object.at("room"), m.room);
  EXPECT_EQ(object.at("seq"), m.seq);
  EXPECT_EQ(object.at("user"), m.user);
  EXPECT_EQ(object.at("text"), m.text);
  EXPECT_EQ(object.at("ts"), m.ts);
  EXPECT_EQ(object.at("edited"), m.edited);
  EXPECT_EQ(object.at("deleted"), m.deleted);
  EXPECT_TRUE(object.at("edited").is_boolean());
  EXPECT_TRUE(object.at("deleted").is_boolean());
  if (!m.mentions.empty()) {
    EXPECT_EQ(object.at("mentions"), json(m.mentions));
  }
}

TEST(server_frames_test, MessageObjectHasExactlyTheDocumentedFields) {
  auto m = sample(42);
  m.edited = true;
  const auto object = frames::message_object(m);
  expect_message_object(object, m);
  EXPECT_EQ(object, json::parse(R"({"id":42,"room":1,"seq":97,"user":"alice","text":"hi\nthere",)"
                                R"("ts":1795000000042,"edited":true,"deleted":false})"));
}

TEST(server_frames_test, MessageObjectListsMentionsWhenThereAreAny) {
  auto m = sample(42, "hi @bob @here");
  m.room = 7;
  m.mentions = {"bob", "here"};
  const auto object = frames::message_object(m);
  expect_message_object(object, m);
  EXPECT_EQ(object.at("mentions"), json({"bob", "here"}));
  EXPECT_EQ(object.at("room"), 7);
  auto frame = parsed(frames::new_message(m));
  frame.erase("type");
  EXPECT_EQ(frame, object);
}

TEST(server_frames_test, MessageObjectCarriesTheQuoteRepliesAndReactionsWhenThereAreAny) {
  auto m = sample(45, "yes");
  m.reply_to = reply_quote{40, "bob", "Ship it?", false};
  m.replies = 2;
  m.reactions = {{"👍", 3, {"alice", "bob", "carol"}, true}, {"🎉", 1, {"dave"}, false}};
  const auto expected = json::parse(R"({"id":45,"room":1,"seq":100,"user":"alice","text":"yes",)"
                                    R"("ts":1795000000045,"edited":false,"deleted":false,)"
                                    R"("reply_to":{"id":40,"user":"bob","text":"Ship it?","deleted":false},)"
                                    R"("replies":2,"reactions":[)"
                                    R"({"emoji":"👍","count":3,"users":["alice","bob","carol"],"me":true},)"
                                    R"({"emoji":"🎉","count":1,"users":["dave"]}]})");
  EXPECT_EQ(frames::message_object(m), expected);
  auto frame = parsed(frames::new_message(m));
  frame.erase("type");
  EXPECT_EQ(frame, expected);
}

TEST(server_frames_test, ReactionAndRepliesEvents) {
  EXPECT_EQ(parsed(frames::reaction(7, 42, 102, "👍", "alice", true, 3)),
            json::parse(R"({"type":"reaction","room":7,"id":42,"seq":102,"emoji":"👍",)"
                        R"("user":"alice","on":true,"count":3})"));
  EXPECT_EQ(parsed(frames::replies(7, 42, 101, 3)),
            json::parse(R"({"type":"replies","room":7,"id":42,"seq":101,"count":3})"));
}

TEST(server_frames_test, DeletedMessageIsATombstone) {
  auto m = sample(44, "");
  m.deleted = true;
  const auto object = frames::message_object(m);
  expect_message_object(object, m);
  EXPECT_EQ(object.at("text"), "");
  EXPECT_EQ(object.at("deleted"), true);
  EXPECT_FALSE(object.contains("mentions"));
}

TEST(server_frames_test, NewMessageIsTheMessageObjectPlusType) {
  const auto m = sample(43);
  auto frame = parsed(frames::new_message(m));
  EXPECT_EQ(frame.at("type"), "message");
  frame.erase("type");
  expect_message_object(frame, m);
}

room_view private_room() {
  room_view room;
  room.id = 7;
  room.kind = "private";
  room.name = "design";
  room.seq = 120;
  room.creator = "alice";
  room.member_count = 3;
  room.members = std::vector<std::string>{"alice", "bob", "carol"};
  return room;
}

TEST(server_frames_test, RoomObjectHasTheDocumentedFields) {
  EXPECT_EQ(
      frames::room_object(private_room()),
      json::parse(R"({"id":7,"kind":"private","name":"design","archived":false,"seq":120,)"
                  R"("creator":"alice","member_count":3,"members":["alice","bob","carol"]})"));
}

TEST(server_frames_test, GeneralHasNoCreatorAndNoMemberList) {
  room_view general;
  general.id = 1;
  general.kind = "open";
  general.name = "general";
  general.archived = true;
  general.seq = 3;
  general.member_count = 12;
  EXPECT_EQ(frames::room_object(general),
            json::parse(R"({"id":1,"kind":"open","name":"general","archived":true,"seq":3,)"
                        R"("creator":null,"member_count":12})"));
}

TEST(server_frames_test, ADmHasANullName) {
  auto dm = private_room();
  dm.kind = "dm";
  dm.name = "ignored";
  dm.members = std::vector<std::string>{"alice", "bob"};
  dm.member_count = 2;
  const auto object = frames::room_object(dm);
  ASSERT_TRUE(object.contains("name"));
  EXPECT_TRUE(object.at("name").is_null());
  EXPECT_EQ(object.at("members"), json({"alice", "bob"}));
}

TEST(server_frames_test, RoomWithStateAddsTheUsersUnreadState) {
  room_state_view state;
  state.last_id = 96;
  state.marker = 90;
  state.unread = 4;
  state.mentions = 1;
  state.others_read = 95;
  state.notify = "mentions";
  auto expected = frames::room_object(private_room());
  expected.update(json::parse(R"({"last_id":96,"marker":90,"unread":4,"mentions":1,)"
                              R"("others_read":95,"notify":"mentions"})"));
  EXPECT_EQ(json::parse(frames::room_with_state(private_room(), state)), expected);
}

TEST(server_frames_test, RoomWithStateOfADmAndOfAnOpenRoomMatchesTheRoomObject) {
  room_view dm;
  dm.id = 9;
  dm.kind = "dm";
  dm.seq = 12;
  dm.member_count = 2;
  dm.members = std::vector<std::string>{"alice", "b\"ob"};
  room_view open;
  open.id = 1;
  open.kind = "open";
  open.name = "général";
  open.member_count = 3;
  for (const auto& room : {dm, open}) {
    room_state_view state;
    state.notify = "all";
    auto expected = frames::room_object(room);
    expected.update(json::parse(R"({"last_id":0,"marker":0,"unread":0,"mentions":0,)"
                                R"("others_read":0,"notify":"all"})"));
    EXPECT_EQ(json::parse(frames::room_with_state(room, state)), expected);
  }
}

TEST(server_frames_test, Hello) {
  const auto rooms = json::array({frames::room_object(private_room())});
  EXPECT_EQ(
      parsed(frames::hello("alice", 97, rooms, false)),
      json({{"type", "hello"}, {"user", "alice"}, {"seq", 97}, {"protocol", 2}, {"rooms", rooms}}));
  const auto truncated = parsed(frames::hello("alice", 97, rooms, true));
  EXPECT_EQ(truncated.at("rooms_truncated"), true);
  EXPECT_TRUE(parsed(frames::hello("bob", 0, json::array(), false)).at("rooms").is_array());
}

TEST(server_frames_test, DumpedSizeIsTheSizeOfTheJson) {
  const auto object = frames::room_object(private_room());
  EXPECT_EQ(frames::dumped_size(object), object.dump().size());
  EXPECT_EQ(frames::hello("alice", 97, json::array({object}), false)->size(),
            frames::hello("alice", 97, json::array(), false)->size() + frames::dumped_size(object));
}

TEST(server_frames_test, HistoryLatestPageHasNullBefore) {
  const std::vector<message> page{sample(1), sample(2)};
  const auto frame = parsed(frames::history(1, std::nullopt, page, true));
  EXPECT_EQ(keys_of(frame),
            (std::set<std::string>{"type", "room", "before", "messages", "has_more"}));
  EXPECT_EQ(frame.at("type"), "history");
  EXPECT_EQ(frame.at("room"), 1);
  EXPECT_TRUE(frame.at("before").is_null());
  EXPECT_EQ(frame.at("has_more"), true);
  ASSERT_EQ(frame.at("messages").size(), 2u);
  expect_message_object(frame.at("messages")[0], page[0]);  // order kept: oldest first
  expect_message_object(frame.at("messages")[1], page[1]);
}

TEST(server_frames_test, HistoryEchoesRoomAndBeforeAndEmptyPageIsAnArray) {
  const auto frame = parsed(frames::history(7, 42, {}, false));
  EXPECT_EQ(frame.at("room"), 7);
  EXPECT_EQ(frame.at("before"), 42);
  EXPECT_TRUE(frame.at("messages").is_array());
  EXPECT_TRUE(frame.at("messages").empty());
  EXPECT_EQ(frame.at("has_more"), false);
}

TEST(server_frames_test, Presence) {
  EXPECT_EQ(parsed(frames::presence({"alice", "bob"}, {"carol"})),
            json::parse(R"({"type":"presence","online":["alice","bob"],"offline":["carol"]})"));
  const auto empty = parsed(frames::presence({}, {}));
  EXPECT_TRUE(empty.at("online").is_array());
  EXPECT_TRUE(empty.at("online").empty());
  EXPECT_TRUE(empty.at("offline").is_array());
  EXPECT_TRUE(empty.at("offline").empty());
}

TEST(server_frames_test, Ack) {
  EXPECT_EQ(parsed(frames::ack("c-1", 1, 43, 1795000000123)),
            json::parse(R"({"type":"ack","client_id":"c-1","room":1,"id":43,"ts":1795000000123})"));
}

TEST(server_frames_test, EditedAndDeleted) {
  auto m = sample(43, "hello @bob");
  m.seq = 99;
  m.room = 7;
  m.mentions = {"bob"};
  EXPECT_EQ(parsed(frames::edited(m)),
            json::parse(R"({"type":"edited","room":7,"id":43,"seq":99,"text":"hello @bob",)"
                        R"("mentions":["bob"]})"));
  m.mentions.clear();
  EXPECT_EQ(parsed(frames::edited(m)).at("mentions"), json::array());  // [] when none
  EXPECT_EQ(parsed(frames::deleted(1, 44, 100)),
            json::parse(R"({"type":"deleted","room":1,"id":44,"seq":100})"));
}

TEST(server_frames_test, Typing) {
  EXPECT_EQ(parsed(frames::typing(1, "alice", true)),
            json::parse(R"({"type":"typing","room":1,"user":"alice","active":true})"));
  EXPECT_EQ(parsed(frames::typing(1, "alice", false)).at("active"), false);
}

TEST(server_frames_test, ReadAndReceipt) {
  EXPECT_EQ(parsed(frames::read(1, 43, 0, 0)),
            json::parse(R"({"type":"read","room":1,"id":43,"unread":0,"mentions":0})"));
  EXPECT_EQ(parsed(frames::read(7, 40, 100, 3)),
            json::parse(R"({"type":"read","room":7,"id":40,"unread":100,"mentions":3})"));
  EXPECT_EQ(parsed(frames::receipt(1, "bob", 43)),
            json::parse(R"({"type":"receipt","room":1,"user":"bob","id":43})"));
}

TEST(server_frames_test, RoomFrames) {
  const auto object = frames::room_object(private_room());
  EXPECT_EQ(parsed(frames::room(private_room(), "r-1")),
            json({{"type", "room"}, {"room", object}, {"ref", "r-1"}}));
  const auto without_ref = parsed(frames::room(private_room(), nullptr));
  EXPECT_FALSE(without_ref.contains("ref"));
  EXPECT_EQ(without_ref.at("room"), object);
  EXPECT_EQ(parsed(frames::room_removed(7)), json::parse(R"({"type":"room_removed","room":7})"));
  EXPECT_EQ(parsed(frames::notify(7, "all")),
            json::parse(R"({"type":"notify","room":7,"level":"all"})"));
}

TEST(server_frames_test, MembersAndSeenBy) {
  EXPECT_EQ(parsed(frames::members(7, "b", {{"bob", true}, {"bea", false}}, true)),
            json::parse(R"({"type":"members","room":7,"prefix":"b","users":)"
                        R"([{"name":"bob","online":true},{"name":"bea","online":false}],)"
                        R"("has_more":true})"));
  EXPECT_TRUE(parsed(frames::members(7, "", {}, false)).at("users").is_array());
  EXPECT_EQ(parsed(frames::seen_by(7, 42, {"bob", "carol"}, false)),
            json::parse(R"({"type":"seen_by","room":7,"id":42,"users":["bob","carol"],)"
                        R"("has_more":false})"));
  EXPECT_TRUE(parsed(frames::seen_by(7, 42, {}, false)).at("users").is_array());
}

TEST(server_frames_test, Sync) {
  const std::vector<message> changed{sample(5), sample(3)};
  const auto rooms = json::array({frames::room_object(private_room())});
  const auto frame = parsed(frames::sync(changed, rooms, {5, 9}, 1097, true));
  EXPECT_EQ(keys_of(frame),
            (std::set<std::string>{"type", "messages", "rooms", "removed", "seq", "has_more"}));
  EXPECT_EQ(frame.at("type"), "sync");
  EXPECT_EQ(frame.at("seq"), 1097);
  EXPECT_EQ(frame.at("has_more"), true);
  EXPECT_EQ(frame.at("rooms"), rooms);
  EXPECT_EQ(frame.at("removed"), json({5, 9}));
  ASSERT_EQ(frame.at("messages").size(), 2u);
  expect_message_object(frame.at("messages")[0], changed[0]);
  expect_message_object(frame.at("messages")[1], changed[1]);

  const auto empty = parsed(frames::sync({}, json::array(), {}, 7, false));
  EXPECT_TRUE(empty.at("messages").is_array());
  EXPECT_TRUE(empty.at("rooms").is_array());
  EXPECT_TRUE(empty.at("removed").is_array());
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
  const auto frame =
      frames::hello("alice", 1, json::array({frames::room_object(private_room())}), false);
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
  auto mentioning = sample(13, "hi @bob @é @here");
  mentioning.mentions = {"bob", "\"quoted\"", "here"};
  mentioning.room = std::numeric_limits<std::int64_t>::max();
  out.push_back(mentioning);
  auto both = sample(-7, "é 😀 日本語 </script>");
  both.edited = true;
  both.deleted = true;
  out.push_back(both);
  auto invalid = sample(12, "ok \xff\xfe cut \xE2\x82");  // stored by hand: U+FFFD on the wire
  invalid.user = std::string("b\xC0\x80") + "b";          // an overlong NUL
  out.push_back(invalid);
  out.push_back(sample(99, std::string(4000, 'x')));
  auto reply = sample(101, "a reply");
  reply.reply_to = reply_quote{std::numeric_limits<std::int64_t>::max(), "b\"ob", "line \x01…", true};
  reply.replies = 1234;
  reply.reactions = {{"👍", 1, {"a"}, true}, {"\xff", 0, {}, false}, {"🎉", 21, {"x", "y"}, false}};
  out.push_back(reply);
  auto reacted = sample(102, "reacted");
  reacted.reactions = {{"❤️", 1, {"alice"}, false}};
  out.push_back(reacted);
  auto image = sample(103, "");
  image.file = file_attachment{12, "shot \"1\".png", 48213, "image/png", 800, 600};
  out.push_back(image);
  auto document = sample(104, "the report");
  document.file = file_attachment{std::numeric_limits<std::int64_t>::max(), "r\xe9port\x01.pdf", 0,
                                  "application/pdf", std::nullopt, std::nullopt};
  document.reply_to = reply_quote{1, "a", "b", false};
  out.push_back(document);
  std::string every_byte;
  for (int c = 0; c < 256; ++c) every_byte += static_cast<char>(c);
  out.push_back(sample(100, every_byte));
  return out;
}

TEST(server_frames_test, MessageSizeIsItsSizeInAHistoryOrSyncPage) {
  const auto empty_history = frames::history(1, std::nullopt, {}, false)->size();
  const auto empty_sync = frames::sync({}, json::array(), {}, 5, false)->size();
  for (const auto& m : awkward_messages()) {
    EXPECT_EQ(frames::message_size(m),
              frames::history(1, std::nullopt, {m}, false)->size() - empty_history)
        << m.id;
    EXPECT_EQ(frames::message_size(m),
              frames::sync({m}, json::array(), {}, 5, false)->size() - empty_sync)
        << m.id;
  }
  // A page is its messages, a comma between each, and the rest.
  const auto page = awkward_messages();
  std::size_t sizes = 0;
  for (const auto& m : page) sizes += frames::message_size(m);
  EXPECT_EQ(frames::history(1, std::nullopt, page, false)->size(),
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
    const auto frame = frames::history(1, std::nullopt, {m}, true);
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
  EXPECT_LE(frames::history(min, min, {}, false)->size(), frames::page_overhead);
  EXPECT_LE(frames::history(min, min, {}, true)->size(), frames::page_overhead);
  EXPECT_LE(frames::sync({}, json::array(), {}, min, false)->size(), frames::page_overhead);
}

}  // namespace
}  // namespace chatterbox
