// Restarts, persistence across them, graceful shutdown, typing expiry and slow clients.
#include "support/server_fixture.hpp"

#include <gtest/gtest.h>

#include <boost/asio.hpp>

#include <boost/asio/ip/tcp.hpp>

#include <optional>
#include <set>

namespace chatterbox::test_support {
namespace {

using lifecycle_test = server_test;

TEST_F(lifecycle_test, history_and_read_markers_survive_a_restart) {
  auto alice = connect("alice");
  auto bob = connect("bob");
  alice->say(general, "a1", "from alice");
  const auto reply = bob->say(general, "b1", "from bob").value("id", 0);
  alice->send({{"type", "seen"}, {"room", general}, {"id", reply}});
  EXPECT_EQ(bob->expect("receipt")["user"], "alice");
  alice->close();
  bob->close();

  restart();
  auto carol = connect("carol");
  const auto history = carol->history(general);
  const auto& messages = history["messages"];
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0]["text"], "from alice");
  EXPECT_EQ(messages[1]["text"], "from bob");
  EXPECT_EQ(carol->hello_room(general)["others_read"], reply);
  EXPECT_EQ(carol->hello_room(general)["last_id"], reply);
  // A new account has read what was said before it.
  EXPECT_EQ(carol->hello_room(general)["marker"], reply);
  EXPECT_EQ(carol->hello_room(general)["unread"], 0);
  EXPECT_EQ(carol->hello["seq"], messages[1]["seq"].get<std::int64_t>() + seqs_of_an_account());
  alice = connect("alice");
  EXPECT_EQ(alice->hello_room(general)["marker"], reply);
  EXPECT_EQ(alice->hello_room(general)["unread"], 0);
}

TEST_F(lifecycle_test, typing_clears_itself_after_the_timeout) {
  restart({"--typing-timeout-ms", "300"});
  auto alice = connect("alice");
  auto bob = connect("bob");
  alice->send({{"type", "typing"}, {"room", general}, {"active", true}});
  EXPECT_EQ(bob->expect("typing")["active"], true);
  const auto started = std::chrono::steady_clock::now();
  const auto cleared = bob->expect("typing", 5s);
  EXPECT_EQ(cleared["user"], "alice");
  EXPECT_EQ(cleared["room"], general);
  EXPECT_EQ(cleared["active"], false);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 250ms);
}

TEST_F(lifecycle_test, sigterm_closes_clients_with_1001_exits_0_and_keeps_every_acked_message) {
  auto alice = connect("alice");
  auto bob = connect("bob");
  std::vector<std::int64_t> acked;
  for (int i = 0; i < 200; ++i) alice->send(general, std::to_string(i), "m" + std::to_string(i));
  for (int i = 0; i < 200; ++i) acked.push_back(alice->expect("ack").value("id", 0));

  const auto exit_code = server_->terminate();
  EXPECT_EQ(exit_code, 0) << server_->output();
  EXPECT_EQ(alice->wait_closed(), 1001);
  EXPECT_EQ(bob->wait_closed(), 1001);

  // What the next start serves: every acknowledged message, once.
  start();
  auto carol = connect("carol");
  std::multiset<std::int64_t> stored;
  std::optional<std::int64_t> before;
  for (;;) {
    const auto page = carol->history(general, before);
    for (const auto& message : page["messages"]) stored.insert(message["id"].get<std::int64_t>());
    if (!page["has_more"].get<bool>() || page["messages"].empty()) break;
    before = page["messages"][0]["id"].get<std::int64_t>();
  }
  for (const auto id : acked) EXPECT_EQ(stored.count(id), 1u) << id;
}

TEST_F(lifecycle_test, sigterm_with_idle_http_connections_still_exits_promptly) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket idle(io);
  idle.connect({boost::asio::ip::make_address("127.0.0.1"), port()});  // sends nothing
  EXPECT_EQ(http_request(port(), http::verb::get, "/api/health").status, 200u);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(server_->terminate(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  start();
}

TEST_F(lifecycle_test, sighup_is_not_a_stop) {
  // systemctl reload sends SIGHUP; the server must go on serving.
  ::kill(server_->pid(), SIGHUP);
  EXPECT_TRUE(server_->wait_for_output("received SIGHUP").has_value()) << server_->output();
  EXPECT_EQ(http_request(port(), http::verb::get, "/api/health").status, 200u);
  EXPECT_TRUE(server_->running());
}

TEST_F(lifecycle_test, a_burst_of_pipelined_sends_is_not_mistaken_for_a_slow_client) {
  auto eager = connect("eager");
  auto watcher = connect("watcher");
  // All written before reading anything: one group commit can then hold them all, and its
  // acks and broadcasts reach each queue in a single turn of the server's loop.
  constexpr int total = 3000;
  for (int i = 0; i < total; ++i) {
    eager->send(general, std::to_string(i), "burst");
  }
  int acked = 0;
  int seen = 0;
  while (acked < total) {
    auto event = eager->next();
    ASSERT_TRUE(event) << "closed or stalled after " << acked << " acks: " << eager->last_error();
    if ((*event)["type"] == "ack") ++acked;
  }
  while (seen < total) {
    watcher->expect("message");
    ++seen;
  }
  EXPECT_EQ(server_->output().find("closing slow client"), std::string::npos);
}

TEST_F(lifecycle_test, a_client_that_stops_reading_is_closed_and_the_others_get_everything) {
  auto stalled = connect("stalled");
  auto sender = connect("sender");
  auto reader = connect("reader");

  constexpr int total = 10000;
  // Big enough that 10,000 of them overflow the kernel's socket buffers, not just our queue.
  const std::string filler(1500, 'x');
  int acked = 0;
  int received = 0;
  for (int sent = 0; sent < total;) {
    for (int i = 0; i < 200; ++i, ++sent) {
      sender->send(general, std::to_string(sent), std::to_string(sent) + " " + filler);
    }
    // Keep the sender and the healthy reader drained as we go.
    while (acked < sent) {
      auto event = sender->next();
      ASSERT_TRUE(event) << "sender stalled at " << acked;
      if ((*event)["type"] == "ack") ++acked;
    }
    while (received < sent) {
      const auto m = reader->expect("message");
      ASSERT_EQ(m["text"], std::to_string(received) + " " + filler);
      ++received;
    }
  }
  EXPECT_EQ(received, total);
  // The stalled client was cut off: reading now ends in a close, not 10,000 messages.
  EXPECT_TRUE(stalled->wait_closed(20s).has_value()) << stalled->last_error();
  const auto log = server_->output();
  EXPECT_NE(log.find("closing slow client: user=stalled"), std::string::npos);
}

}  // namespace
}  // namespace chatterbox::test_support
