// parse_client_frame for the commands protocol 2 added: room commands, lists of users, watch.

#include "chatterbox/protocol/client_command.hpp"

#include "support/parse_frame.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace chatterbox {
namespace {

using json = nlohmann::json;
using names = std::vector<std::string>;

using test_support::parse_json_error;
using test_support::parse_json_ok;

names numbered(std::size_t count) {
  names out;
  for (std::size_t i = 0; i < count; ++i) out.push_back("user" + std::to_string(i));
  return out;
}

// --- create_room ---

TEST(client_command_rooms_test, ParsesCreateRoom) {
  const auto command = parse_json_ok<create_room_command>({{"type", "create_room"},
                                                      {"kind", "private"},
                                                      {"name", "  design  "},
                                                      {"users", {"bob", "Carol_2"}},
                                                      {"client_id", "r-1"}});
  EXPECT_EQ(command.kind, "private");
  EXPECT_EQ(command.name, "design");  // trimmed
  EXPECT_EQ(command.users, (names{"bob", "Carol_2"}));
  EXPECT_EQ(command.client_id, "r-1");

  const auto bare =
      parse_json_ok<create_room_command>({{"type", "create_room"}, {"kind", "open"}, {"name", "x"}});
  EXPECT_TRUE(bare.users.empty());
  EXPECT_FALSE(bare.client_id.has_value());
  const auto nulls = parse_json_ok<create_room_command>({{"type", "create_room"},
                                                    {"kind", "open"},
                                                    {"name", "x"},
                                                    {"users", nullptr},
                                                    {"client_id", nullptr}});
  EXPECT_TRUE(nulls.users.empty());
  EXPECT_FALSE(nulls.client_id.has_value());
}

TEST(client_command_rooms_test, CreateRoomKindIsOpenOrPrivate) {
  for (const json& kind : {json("dm"), json("Open"), json(""), json(1), json(nullptr)}) {
    const auto error = parse_json_error(
        json{{"type", "create_room"}, {"kind", kind}, {"name", "x"}, {"client_id", "r-2"}});
    EXPECT_EQ(error.code, "invalid_field") << kind;
    EXPECT_EQ(error.ref, json("r-2")) << kind;
  }
}

TEST(client_command_rooms_test, RoomNamesAreOneToSixtyFourCharactersWithoutControls) {
  const auto create = [](const json& name) {
    return json{{"type", "create_room"}, {"kind", "open"}, {"name", name}};
  };
  const std::string longest = [] {
    std::string s;
    for (int i = 0; i < 64; ++i) s += "é";
    return s;
  }();
  EXPECT_EQ(parse_json_ok<create_room_command>(create(longest)).name, longest);
  EXPECT_EQ(parse_json_ok<create_room_command>(create(" " + longest + " ")).name, longest);
  for (const json& name : {json(longest + "é"), json(""), json("   "), json("a\nb"),
                           json("tab\there"), json("bell\a"), json("\xC2\x85"), json(5)}) {
    const auto error = parse_json_error(create(name));
    EXPECT_EQ(error.code, "invalid_field") << name;
    EXPECT_NE(error.message.find("name"), std::string::npos) << error.message;
  }
  const auto rename = parse_json_ok<rename_room_command>(
      {{"type", "rename_room"}, {"room", 7}, {"name", " Design Team "}});
  EXPECT_EQ(rename.room, 7);
  EXPECT_EQ(rename.name, "Design Team");
  const auto error = parse_json_error(json{{"type", "rename_room"}, {"room", 7}, {"name", "a\rb"}});
  EXPECT_EQ(error.code, "invalid_field");
  EXPECT_EQ(error.ref, json(7));
}

TEST(client_command_rooms_test, CreateRoomClientIdFollowsSendRules) {
  const auto base = json{{"type", "create_room"}, {"kind", "open"}, {"name", "x"}};
  for (const json& id : {json(""), json(std::string(65, 'x')), json("r\n1"), json(7)}) {
    auto frame = base;
    frame["client_id"] = id;
    EXPECT_EQ(parse_json_error(frame).code, "invalid_field") << id;
  }
}

// --- lists of users ---

TEST(client_command_rooms_test, UsersAreAListOfUsernames) {
  const auto frame = [](const json& users) {
    return json{{"type", "add_members"}, {"room", 7}, {"users", users}};
  };
  EXPECT_EQ(parse_json_ok<add_members_command>(frame(json::array({"a", "b.c", "d-e_f"}))).users,
            (names{"a", "b.c", "d-e_f"}));
  EXPECT_TRUE(parse_json_ok<add_members_command>(frame(json::array())).users.empty());
  for (const json& users :
       {json("bob"), json(5), json::array({"bob", 5}), json::array({"bob", nullptr}),
        json::array({json::array({"bob"})}), json::array({json{{"name", "bob"}}}),
        json::array({"bob", 1.5}), json::array({""}), json::array({"bob smith"}),
        json::array({std::string(33, 'a')}), json::array({"b\xC3\xA9"}), json::array({"@bob"})}) {
    const auto error = parse_json_error(frame(users));
    EXPECT_EQ(error.code, "invalid_field") << users;
    EXPECT_NE(error.message.find("users"), std::string::npos) << error.message;
    EXPECT_EQ(error.ref, json(7)) << users;
  }
  const auto missing = parse_json_error(json{{"type", "add_members"}, {"room", 7}});
  EXPECT_EQ(missing.code, "invalid_field");
}

TEST(client_command_rooms_test, ListsHoldAtMostAHundredUsers) {
  EXPECT_EQ(parse_json_ok<add_members_command>(
                {{"type", "add_members"}, {"room", 7}, {"users", numbered(100)}})
                .users.size(),
            100u);
  EXPECT_EQ(parse_json_error(json{{"type", "add_members"}, {"room", 7}, {"users", numbered(101)}}).code,
            "invalid_field");
  EXPECT_EQ(
      parse_json_ok<create_room_command>(
          {{"type", "create_room"}, {"kind", "private"}, {"name", "x"}, {"users", numbered(100)}})
          .users.size(),
      100u);
  EXPECT_EQ(parse_json_error(json{{"type", "create_room"},
                             {"kind", "private"},
                             {"name", "x"},
                             {"users", numbered(101)}})
                .code,
            "invalid_field");
}

TEST(client_command_rooms_test, OpenDmTakesUpToSevenOthers) {
  const auto command =
      parse_json_ok<open_dm_command>({{"type", "open_dm"}, {"users", numbered(7)}, {"client_id", "d"}});
  EXPECT_EQ(command.users, numbered(7));
  EXPECT_EQ(command.client_id, "d");
  EXPECT_TRUE(parse_json_ok<open_dm_command>({{"type", "open_dm"}, {"users", json::array()}})
                  .users.empty());  // notes to self
  const auto error =
      parse_json_error(json{{"type", "open_dm"}, {"users", numbered(8)}, {"client_id", "d"}});
  EXPECT_EQ(error.code, "invalid_field");
  EXPECT_EQ(error.ref, json("d"));
  EXPECT_EQ(parse_json_error(json{{"type", "open_dm"}}).code, "invalid_field");  // required
  EXPECT_EQ(parse_json_error(json{{"type", "open_dm"}, {"users", nullptr}}).code, "invalid_field");
}

TEST(client_command_rooms_test, WatchTakesUpToFiveHundredUsernames) {
  EXPECT_EQ(parse_json_ok<watch_command>({{"type", "watch"}, {"users", numbered(500)}}).users.size(),
            500u);
  EXPECT_TRUE(parse_json_ok<watch_command>({{"type", "watch"}, {"users", json::array()}}).users.empty());
  EXPECT_EQ(parse_json_ok<watch_command>({{"type", "watch"}, {"users", {"bob", "bob"}}}).users,
            (names{"bob", "bob"}));
  for (const json& frame :
       {json{{"type", "watch"}, {"users", numbered(501)}}, json{{"type", "watch"}},
        json{{"type", "watch"}, {"users", {"bad name"}}},
        json{{"type", "watch"}, {"users", "bob"}}}) {
    const auto error = parse_json_error(frame);
    EXPECT_EQ(error.code, "invalid_field") << frame;
    EXPECT_TRUE(error.ref.is_null()) << frame;
  }
}

TEST(client_command_rooms_test, ALongListStillCountsAsOneField) {
  // type, room, users and five fields more: eight, the most a frame may have.
  json frame = {{"type", "add_members"}, {"room", 7}, {"users", numbered(100)}};
  for (int i = 0; i < 5; ++i) frame["x" + std::to_string(i)] = i;
  EXPECT_EQ(parse_json_ok<add_members_command>(frame).users.size(), 100u);
  frame["x5"] = 5;
  EXPECT_EQ(parse_json_error(frame).code, "invalid_json");
}

// --- the other room commands ---

TEST(client_command_rooms_test, ParsesTheOtherRoomCommands) {
  const auto remove =
      parse_json_ok<remove_member_command>({{"type", "remove_member"}, {"room", 7}, {"user", "dave"}});
  EXPECT_EQ(remove.room, 7);
  EXPECT_EQ(remove.user, "dave");
  EXPECT_EQ(parse_json_ok<leave_room_command>({{"type", "leave_room"}, {"room", 7}}).room, 7);
  const auto archive =
      parse_json_ok<archive_room_command>({{"type", "archive_room"}, {"room", 7}, {"archived", true}});
  EXPECT_TRUE(archive.archived);
  EXPECT_FALSE(
      parse_json_ok<archive_room_command>({{"type", "archive_room"}, {"room", 7}, {"archived", false}})
          .archived);
  for (const char* level : {"all", "mentions", "none"}) {
    EXPECT_EQ(parse_json_ok<notify_command>({{"type", "notify"}, {"room", 7}, {"level", level}}).level,
              level);
  }
  const auto seen_by = parse_json_ok<seen_by_command>({{"type", "seen_by"}, {"room", 7}, {"id", 42}});
  EXPECT_EQ(seen_by.room, 7);
  EXPECT_EQ(seen_by.id, 42);
}

TEST(client_command_rooms_test, RoomCommandFieldsAreChecked) {
  for (const json& frame : {
           json{{"type", "remove_member"}, {"room", 7}},
           json{{"type", "remove_member"}, {"room", 7}, {"user", "bad name"}},
           json{{"type", "remove_member"}, {"room", 7}, {"user", {"dave"}}},
           json{{"type", "archive_room"}, {"room", 7}},
           json{{"type", "archive_room"}, {"room", 7}, {"archived", "yes"}},
           json{{"type", "notify"}, {"room", 7}, {"level", "loud"}},
           json{{"type", "notify"}, {"room", 7}, {"level", "ALL"}},
           json{{"type", "notify"}, {"room", 7}},
           json{{"type", "members"}, {"room", 7}, {"prefix", 5}},
           json{{"type", "members"}, {"room", 7}, {"prefix", std::string(33, 'a')}},
           json{{"type", "members"}, {"room", 7}, {"limit", "10"}},
       }) {
    const auto error = parse_json_error(frame);
    EXPECT_EQ(error.code, "invalid_field") << frame;
    EXPECT_EQ(error.ref, json(7)) << frame;
  }
}

TEST(client_command_rooms_test, MembersPrefixAndLimit) {
  const auto bare = parse_json_ok<members_command>({{"type", "members"}, {"room", 7}});
  EXPECT_EQ(bare.prefix, "");
  EXPECT_EQ(bare.limit, default_members_limit);
  EXPECT_EQ(bare.limit, 50);
  const auto full =
      parse_json_ok<members_command>({{"type", "members"}, {"room", 7}, {"prefix", "b"}, {"limit", 20}});
  EXPECT_EQ(full.prefix, "b");
  EXPECT_EQ(full.limit, 20);
  EXPECT_EQ(
      parse_json_ok<members_command>({{"type", "members"}, {"room", 7}, {"prefix", nullptr}}).prefix,
      "");
  EXPECT_EQ(parse_json_ok<members_command>(
                {{"type", "members"}, {"room", 7}, {"prefix", std::string(32, 'a')}})
                .prefix.size(),
            32u);
  for (const auto& [limit, expected] : std::vector<std::pair<json, int>>{
           {json(0), 1}, {json(-3), 1}, {json(100), 100}, {json(101), 100}, {json(nullptr), 50}}) {
    EXPECT_EQ(parse_json_ok<members_command>({{"type", "members"}, {"room", 7}, {"limit", limit}}).limit,
              expected)
        << limit;
  }
}

// Every command that names a room checks it the same way, and refers to it in its errors.
class room_frames : public ::testing::TestWithParam<json> {
 protected:
  json with_room(const json& room) const {
    auto frame = GetParam();
    if (room.is_null()) {
      frame.erase("room");
    } else {
      frame["room"] = room;
    }
    return frame;
  }
};

TEST_P(room_frames, TheRoomIsAPositiveInteger) {
  EXPECT_TRUE(std::holds_alternative<client_command>(parse_client_frame(with_room(7).dump())));
  for (const json& room : {json(nullptr), json("7"), json(1.5), json(true), json::array({7})}) {
    const auto error = parse_json_error(with_room(room));
    EXPECT_EQ(error.code, "invalid_field") << with_room(room);
    EXPECT_NE(error.message.find("room"), std::string::npos) << error.message;
  }
  for (const json& room : {json(0), json(-1)}) {
    const auto error = parse_json_error(with_room(room));
    EXPECT_EQ(error.code, "invalid_field") << with_room(room);
  }
}

INSTANTIATE_TEST_SUITE_P(
    client_command_rooms_test, room_frames,
    ::testing::Values(json{{"type", "send"}, {"client_id", "c"}, {"text", "hi"}},
                      json{{"type", "typing"}, {"active", true}}, json{{"type", "seen"}, {"id", 3}},
                      json{{"type", "history"}}, json{{"type", "rename_room"}, {"name", "x"}},
                      json{{"type", "add_members"}, {"users", {"bob"}}},
                      json{{"type", "remove_member"}, {"user", "bob"}},
                      json{{"type", "leave_room"}},
                      json{{"type", "archive_room"}, {"archived", true}},
                      json{{"type", "notify"}, {"level", "all"}}, json{{"type", "members"}},
                      json{{"type", "seen_by"}, {"id", 3}}));

}  // namespace
}  // namespace chatterbox
