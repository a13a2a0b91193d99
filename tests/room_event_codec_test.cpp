// Room events between nodes (bus/room_event_codec): what one node encodes, another decodes
// whole — the frames byte for byte, never re-serialised — and what is not an event is refused.

#include "chatterbox/bus/room_event_codec.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace chatterbox {
namespace {

frame_ptr frame_of(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

TEST(room_event_codec, EveryFieldSurvivesTheTrip) {
  room_event sent{42, 7, frame_of(R"({"type":"room","room":{"id":7}})")};
  sent.actor = 3;
  sent.reply = frame_of(R"({"type":"room","ref":"c-1"})");
  sent.removed = 5;
  sent.changed_room = room_snapshot{7, room_kind::private_room, "ops", "", 3, true, {3, 9}};
  const auto bus = encode_room_event(sent, "node-a");
  EXPECT_EQ(bus.seq, 42);
  EXPECT_EQ(bus.room, 7);

  const auto got = decode_room_event(bus);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->origin, "node-a");
  const auto& e = got->event;
  EXPECT_EQ(e.seq, 42);
  EXPECT_EQ(e.room, 7);
  EXPECT_EQ(*e.frame, *sent.frame);
  EXPECT_EQ(*e.reply, *sent.reply);
  EXPECT_EQ(e.actor, 3);
  EXPECT_EQ(e.removed, 5);
  ASSERT_TRUE(e.changed_room);
  EXPECT_EQ(e.changed_room->kind, room_kind::private_room);
  EXPECT_EQ(e.changed_room->name, "ops");
  EXPECT_EQ(e.changed_room->creator_id, 3);
  EXPECT_TRUE(e.changed_room->archived);
  EXPECT_EQ(e.changed_room->members, (std::vector<std::int64_t>{3, 9}));
}

TEST(room_event_codec, AMessageAndANewAccountNeedLittle) {
  room_event message{8, 1, frame_of("{\"type\":\"message\",\"text\":\"a\\nb\"}")};
  message.message_id = 99;
  const auto got = decode_room_event(encode_room_event(message, ""));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->event.message_id, 99);
  EXPECT_EQ(*got->event.frame, *message.frame);
  EXPECT_FALSE(got->event.reply);
  EXPECT_FALSE(got->event.changed_room);

  room_event account{9, 0};
  account.new_user_id = 12;
  account.new_user_name = "dave";
  const auto user = decode_room_event(encode_room_event(account, "n"));
  ASSERT_TRUE(user);
  EXPECT_EQ(user->event.new_user_id, 12);
  EXPECT_EQ(user->event.new_user_name, "dave");
  EXPECT_FALSE(user->event.frame);
}

TEST(room_event_codec, WhatIsNotAnEventIsRefused) {
  for (const std::string payload :
       {"", "no header", "{}\n", "{\"origin\":\"n\",\"frame\":5,\"reply\":0}\nabc",
        "{\"origin\":\"n\",\"frame\":0,\"reply\":0,\"room\":{\"kind\":\"closet\"}}\n", "[1]\n"}) {
    EXPECT_FALSE(decode_room_event(bus_event{1, 1, payload})) << payload;
  }
}

}  // namespace
}  // namespace chatterbox
