// Catching up must always fit what a client that reads is allowed to have queued: replies are
// budgeted in bytes, not message counts, so heavy messages arrive in more pages instead of
// getting the reader closed as "too slow" on every reconnect (issue 9, item 2).
#include "support/server_fixture.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace chatterbox::test_support {
namespace {

using catch_up_test = server_test;

// 3,900 four-byte characters: ~16 KB of JSON for one message.
std::string heavy_text(int n) {
  std::string text = std::to_string(n) + " ";
  for (int i = 0; i < 3900; ++i) text += "\U0001F600";
  return text;
}

TEST_F(catch_up_test, heavy_messages_arrive_in_pages_that_fit_the_send_queue) {
  restart({"--send-queue-bytes", "524288"});
  auto alice = connect("alice");
  constexpr int total = 120;  // ~1.9 MB: more than three times the send queue
  for (int round = 0; round < total / 10; ++round) {
    for (int i = 0; i < 10; ++i) {
      const int n = round * 10 + i;
      alice->send(general, std::to_string(n), heavy_text(n));
    }
    for (int i = 0; i < 10; ++i) alice->expect("ack");
  }

  // Connecting and asking for the room's latest page: cut to the budget, not closed as too slow.
  auto bob = connect("bob");
  const auto latest = bob->history(general);
  EXPECT_TRUE(latest["has_more"].get<bool>());
  EXPECT_LT(latest["messages"].size(), 50u);
  EXPECT_GE(latest["messages"].size(), 1u);

  // A catch-up from the start comes in as many pages as it takes, each message exactly once.
  std::set<std::int64_t> ids;
  std::int64_t since = 0;
  int pages = 0;
  for (bool more = true; more; ++pages) {
    bob->send({{"type", "sync"}, {"since", since}});
    const auto page = bob->expect("sync", 20s);
    for (const auto& m : page["messages"]) EXPECT_TRUE(ids.insert(m["id"].get<std::int64_t>()).second);
    since = page["seq"];
    more = page["has_more"];
    ASSERT_LT(pages, total) << "no progress";
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(total));
  EXPECT_GT(pages, 3);
  // Older history pages too.
  const auto older = bob->history(general, latest["messages"][0]["id"].get<std::int64_t>(), 100);
  EXPECT_TRUE(older["has_more"].get<bool>());
  EXPECT_GE(older["messages"].size(), 1u);
}

TEST_F(catch_up_test, message_text_may_not_carry_control_characters) {
  auto alice = connect("alice");
  alice->send(general, "c1", std::string("bell\x07 here"));
  const auto refused = alice->expect("error");
  EXPECT_EQ(refused["code"], "invalid_field");
  EXPECT_EQ(refused["ref"], "c1");
  // Newlines and tabs are text; a Windows line break is stored as a newline.
  EXPECT_EQ(alice->say(general, "c2", "line one\r\nline\ttwo")["client_id"], "c2");
  EXPECT_EQ(alice->history(general, std::nullopt, 1)["messages"][0]["text"], "line one\nline\ttwo");
}

}  // namespace
}  // namespace chatterbox::test_support
