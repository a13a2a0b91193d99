// Abuse limits, idle peers and the operator's view (issue "Hardening").
#include "support/raw_websocket.hpp"
#include "support/server_fixture.hpp"

#include <gtest/gtest.h>

#include <boost/asio.hpp>

#include <sstream>

namespace chatterbox::test_support {
namespace {

using limits_test = server_test;

TEST_F(limits_test, a_flooding_user_is_rate_limited_and_others_are_not) {
  restart({"--message-rate", "10", "--message-burst", "20"});
  auto flooder = connect("flooder");
  auto bob = connect("bob");
  for (int i = 0; i < 30; ++i) flooder->send(general, std::to_string(i), "spam");
  int acked = 0;
  int limited = 0;
  for (int answers = 0; answers < 30;) {
    const auto event = flooder->next();
    ASSERT_TRUE(event);
    if ((*event)["type"] == "ack") {
      ++acked;
      ++answers;
    } else if ((*event)["type"] == "error") {
      EXPECT_EQ((*event)["code"], "rate_limited");
      EXPECT_GT((*event)["retry_after_ms"].get<int>(), 0);
      EXPECT_TRUE((*event)["ref"].is_string());
      ++limited;
      ++answers;
    }
  }
  // The burst passes (a token or two may refill meanwhile); the rest is refused, unstored.
  EXPECT_GE(acked, 20);
  EXPECT_LE(acked, 22);
  EXPECT_EQ(acked + limited, 30);
  // Bob has his own budget.
  bob->say(general, "b1", "I am not limited");
  auto carol = connect("carol");
  EXPECT_EQ(carol->history(general)["messages"].size(), static_cast<std::size_t>(acked + 1));
}

TEST_F(limits_test, typing_floods_are_throttled_silently) {
  restart({"--signal-rate", "5", "--signal-burst", "10"});
  auto alice = connect("alice");
  auto bob = connect("bob");
  for (int i = 0; i < 50; ++i) {
    alice->send({{"type", "typing"}, {"room", general}, {"active", true}});
  }
  for (const auto& event : alice->drain()) EXPECT_NE(event["type"], "error");
  int forwarded = 0;
  for (const auto& event : bob->drain()) forwarded += event["type"] == "typing" ? 1 : 0;
  EXPECT_GE(forwarded, 10);
  EXPECT_LE(forwarded, 12);
}

TEST_F(limits_test, connection_caps_refuse_the_upgrade_with_503) {
  restart({"--max-connections-per-user", "2", "--max-connections", "3"});
  const auto alice = token_for(port(), "alice");
  auto tab1 = ws_client::connect(port(), alice);
  auto tab2 = ws_client::connect(port(), alice);
  ws_client tab3(port(), {alice, false, std::nullopt});
  EXPECT_EQ(tab3.upgrade_status(), 503u);

  auto bob = connect("bob");
  ws_client carol(port(), {token_for(port(), "carol"), false, std::nullopt});
  EXPECT_EQ(carol.upgrade_status(), 503u);

  // Freed slots are usable again (bob seeing alice leave proves the server let go of them).
  EXPECT_EQ(bob->watch({"alice"})["online"], json::array({"alice"}));
  tab1->close();
  tab2->close();
  EXPECT_EQ(bob->expect("presence")["offline"], json::array({"alice"}));
  ws_client tab4(port(), {alice, false, std::nullopt});
  EXPECT_TRUE(tab4.connected());
}

TEST_F(limits_test, a_peer_that_never_answers_pings_is_closed_within_the_idle_timeout) {
  restart({"--idle-timeout", "2"});
  const auto token = token_for(port(), "ghost");
  // A raw socket that completes the upgrade, takes its hello and then never answers a ping.
  raw_websocket ghost(port(), upgrade_request(token));
  ASSERT_EQ(ghost.response_head().rfind("HTTP/1.1 101", 0), 0u);
  ASSERT_TRUE(ghost.find(1, R"("type":"hello")"));
  auto alice = connect("alice");
  EXPECT_EQ(alice->watch({"ghost"})["online"], json::array({"ghost"}));

  const auto started = std::chrono::steady_clock::now();
  const auto left = alice->expect("presence", 10s);
  EXPECT_EQ(left["offline"], json::array({"ghost"}));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST_F(limits_test, metrics_are_off_by_default_and_prometheus_text_when_on) {
  EXPECT_EQ(http_request(port(), http::verb::get, "/metrics").status, 404u);
  restart({"--metrics", "on"});
  auto alice = connect("alice");
  alice->say(general, "a1", "counted");
  const auto page = http_request(port(), http::verb::get, "/metrics");
  EXPECT_EQ(page.status, 200u);
  EXPECT_NE(page.header("content-type").find("text/plain"), std::string::npos);
  for (const auto* name :
       {"chatterbox_open_connections 1", "chatterbox_online_users 1",
        "chatterbox_messages_stored_total 1", "chatterbox_frames_in_total",
        "chatterbox_frames_out_total", "chatterbox_bytes_out_total",
        "chatterbox_send_queue_high_water_frames", "chatterbox_slow_client_disconnects_total 0",
        "chatterbox_rate_limited_total 0", "chatterbox_login_failures_total 0",
        "chatterbox_sqlite_commit_seconds_bucket{le=\"+Inf\"} ",
        "chatterbox_sqlite_commit_seconds_count "}) {
    EXPECT_NE(page.body.find(name), std::string::npos) << name << "\n" << page.body;
  }
}

TEST_F(limits_test, json_log_format_writes_one_json_object_per_line) {
  restart({"--log-format", "json"});
  login(port(), "alice", "wrong \"quoted\" pw");
  login(port(), "alice", "another\\one");
  ASSERT_EQ(server_->terminate(), 0);
  std::istringstream lines(server_->output());
  int parsed = 0;
  for (std::string line; std::getline(lines, line);) {
    const auto object = json::parse(line, nullptr, false);
    ASSERT_FALSE(object.is_discarded()) << line;
    EXPECT_TRUE(object.contains("time") && object.contains("level") && object.contains("msg"));
    ++parsed;
  }
  EXPECT_GE(parsed, 3);
  start();
}

}  // namespace
}  // namespace chatterbox::test_support
