// Signals and presence snapshots as they travel between nodes: what one node encodes, another
// decodes to the same, and anything else is refused rather than half understood.

#include "chatterbox/bus/signal_codec.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace chatterbox {
namespace {

TEST(signal_codec_test, EverySignalKindSurvivesTheTrip) {
  const auto frame = std::make_shared<const std::string>(R"({"type":"notify","room":7})");
  const std::vector<chat_signal> signals{{chat_signal::kind::typing, 3, 1, "alice", true},
                                         {chat_signal::kind::receipt, 3, 2, "bob", false, 42},
                                         {chat_signal::kind::to_user, 0, 1, "", false, 0, frame},
                                         {chat_signal::kind::presence, 0, 2, "bob", true}};
  for (const auto& signal : signals) {
    const auto version = signal.what == chat_signal::kind::presence ? 9u : 0u;
    const auto back = decode_signal(encode_signal(signal, "node-1", version));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->origin, "node-1");
    EXPECT_EQ(back->version, version);
    const auto& s = back->signal;
    EXPECT_EQ(s.what, signal.what);
    EXPECT_EQ(s.room, signal.room);
    EXPECT_EQ(s.user_id, signal.user_id);
    EXPECT_EQ(s.username, signal.username);
    EXPECT_EQ(s.active, signal.active);
    EXPECT_EQ(s.message_id, signal.message_id);
    EXPECT_EQ(s.frame ? *s.frame : "", signal.frame ? *signal.frame : "");
  }
}

TEST(signal_codec_test, WhatIsNotASignalIsRefused) {
  EXPECT_FALSE(decode_signal(""));
  EXPECT_FALSE(decode_signal("not json"));
  EXPECT_FALSE(decode_signal(R"({"origin":"a","kind":"dance","user":1})"));
  EXPECT_FALSE(decode_signal(R"({"origin":"a","kind":"typing"})"));
  EXPECT_FALSE(decode_signal(R"({"origin":"a","kind":"to_user","user":1})"));  // no frame
}

TEST(signal_codec_test, APresenceSnapshotSurvivesTheTrip) {
  const presence_snapshot snapshot{12, {{1, "alice"}, {2, "bob \"b\""}}};
  const auto back = decode_presence(encode_presence(snapshot));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->version, 12u);
  EXPECT_EQ(back->users, snapshot.users);
  EXPECT_FALSE(decode_presence("{}"));
  EXPECT_FALSE(decode_presence(R"({"version":1,"users":[[1]]})"));
}

TEST(signal_codec_test, ASessionEndSurvivesTheTripAndIsNoChatSignal) {
  const connection_manager::session_end end{7, "", "digest-kept", 4001, "password changed"};
  const auto payload = encode_session_end(end, "node-2");
  EXPECT_FALSE(decode_signal(payload));
  const auto back = decode_session_end(payload);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->origin, "node-2");
  EXPECT_EQ(back->end.user_id, 7);
  EXPECT_EQ(back->end.token_digest, "");
  EXPECT_EQ(back->end.except_token, "digest-kept");
  EXPECT_EQ(back->end.code, 4001);
  EXPECT_EQ(back->end.reason, "password changed");
  EXPECT_FALSE(decode_session_end(encode_signal({chat_signal::kind::typing, 1, 1, "a", true},
                                                "node-2", 0)));
}

}  // namespace
}  // namespace chatterbox
