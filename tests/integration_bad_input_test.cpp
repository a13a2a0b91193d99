// Bad input is answered, never crashes or stalls the server, and never affects other clients.
#include "support/server_fixture.hpp"

#include <gtest/gtest.h>

namespace chatterbox::test_support {
namespace {

using bad_input_test = server_test;

struct bad_frame {
  std::string frame;
  std::string code;
  json ref;
};

TEST_F(bad_input_test, each_bad_frame_gets_its_error_and_the_connection_stays_open) {
  auto mallory = connect("mallory");
  auto alice = connect("alice");
  auto bob = connect("bob");

  const std::vector<bad_frame> cases = {
      {"{not json", "invalid_json", nullptr},
      {"[1,2,3]", "invalid_json", nullptr},
      {"\"just a string\"", "invalid_json", nullptr},
      {R"({"no_type":1})", "unknown_type", nullptr},
      {R"({"type":"launch_missiles","id":7})", "unknown_type", nullptr},
      {R"({"type":"send","room":1,"text":"no client id"})", "invalid_field", nullptr},
      {R"({"type":"send","room":1,"client_id":42,"text":"x"})", "invalid_field", nullptr},
      {R"({"type":"send","room":1,"client_id":"c1"})", "invalid_field", "c1"},
      {R"({"type":"send","room":1,"client_id":"c2","text":"   "})", "text_empty", "c2"},
      {R"({"type":"send","room":1,"client_id":"c3","text":")" + std::string(4001, 'x') + "\"}",
       "text_too_long", "c3"},
      {R"({"type":"send","room":1,"client_id":")" + std::string(65, 'c') + R"(","text":"x"})",
       "invalid_field", std::string(65, 'c')},
      // Every room-bound command needs its room.
      {R"({"type":"send","client_id":"c4","text":"x"})", "invalid_field", "c4"},
      {R"({"type":"send","room":"1","client_id":"c5","text":"x"})", "invalid_field", "c5"},
      {R"({"type":"send","room":999,"client_id":"c6","text":"x"})", "not_found", "c6"},
      {R"({"type":"history","room":999})", "not_found", 999},
      {R"({"type":"edit","id":"12","text":"x"})", "invalid_field", nullptr},
      {R"({"type":"edit","id":999,"text":"x"})", "not_found", 999},
      {R"({"type":"delete"})", "invalid_field", nullptr},
      {R"({"type":"delete","id":-1})", "invalid_field", -1},
      {R"({"type":"typing","room":1,"active":"yes"})", "invalid_field", 1},
      {R"({"type":"typing","active":true})", "invalid_field", nullptr},
      {R"({"type":"seen","room":1,"id":1.5})", "invalid_field", nullptr},
      {R"({"type":"seen","id":1})", "invalid_field", 1},
      {R"({"type":"history","room":1,"before":"x"})", "invalid_field", 1},
      {R"({"type":"history"})", "invalid_field", nullptr},
      {R"({"type":"sync"})", "invalid_field", nullptr},
      {R"({"type":"watch"})", "invalid_field", nullptr},
      {R"({"type":"watch","users":"bob"})", "invalid_field", nullptr},
  };
  int counter = 0;
  for (const auto& c : cases) {
    mallory->send_text(c.frame);
    const auto error = mallory->expect("error");
    EXPECT_EQ(error["code"], c.code) << c.frame.substr(0, 80);
    EXPECT_EQ(error["ref"], c.ref) << c.frame.substr(0, 80);
    EXPECT_TRUE(error["message"].is_string());
    // Others keep chatting throughout.
    const auto text = "still fine " + std::to_string(++counter);
    alice->say(general, "a" + std::to_string(counter), text);
    EXPECT_EQ(bob->expect("message")["text"], text);
  }
  // And the offender's own connection still works.
  mallory->say(general, "m-ok", "I can still talk");
}

TEST_F(bad_input_test, absurd_history_limits_are_clamped) {
  auto alice = connect("alice");
  for (int i = 0; i < 120; ++i) alice->send(general, std::to_string(i), "x");
  for (int i = 0; i < 120; ++i) alice->expect("ack");
  EXPECT_EQ(alice->history(general, 1000000, 1000000000)["messages"].size(), 100u);
  EXPECT_EQ(alice->history(general, std::nullopt, -5)["messages"].size(), 1u);
}

TEST_F(bad_input_test, binary_frame_is_closed_with_1003) {
  auto mallory = connect("mallory");
  auto alice = connect("alice");
  mallory->send_text("\x01\x02\x03", /*binary=*/true);
  EXPECT_EQ(mallory->wait_closed(), 1003);
  alice->say(general, "a1", "unaffected");
}

TEST_F(bad_input_test, frame_over_64_kib_is_closed_with_1009) {
  auto mallory = connect("mallory");
  auto alice = connect("alice");
  mallory->send_text(R"({"type":"send","room":1,"client_id":"big","text":")" +
                     std::string(70 * 1024, 'x') + "\"}");
  EXPECT_EQ(mallory->wait_closed(), 1009);
  alice->say(general, "a1", "unaffected");
  EXPECT_EQ(alice->expect("message")["text"], "unaffected");
}

}  // namespace
}  // namespace chatterbox::test_support
