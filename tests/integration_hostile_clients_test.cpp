// Clients that do what no browser does — flood pings without reading, pipeline hundreds of
// requests, stop reading in the middle of a broadcast, race upgrades against caps and logouts —
// must cost the server bounded memory and time, and nobody else anything (issue 9, items 1, 5
// and 6).
#include "support/raw_websocket.hpp"
#include "support/server_fixture.hpp"

#include <gtest/gtest.h>

#include <map>

#include <boost/asio.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace chatterbox::test_support {
namespace {

using hostile_clients_test = server_test;

// One counter of GET /metrics.
double metric(std::uint16_t port, const std::string& name) {
  const auto page = http_request(port, http::verb::get, "/metrics").body;
  const auto at = page.find("\n" + name + " ");
  if (at == std::string::npos) throw std::runtime_error("no metric " + name);
  return std::stod(page.substr(at + name.size() + 2));
}

TEST_F(hostile_clients_test, pings_from_a_client_that_never_reads_cost_bounded_memory_and_it_is_cut) {
  // The inbound budget is lifted here (as in the whole suite), so the server reads the flood
  // as fast as it comes: what it reads still costs one pending pong at most.
  restart({"--write-timeout", "2"});
  raw_websocket pinger(port(), upgrade_request(token_for(port(), "pinger")));
  pinger.socket().non_blocking(true);
  const auto rss_before = server_->rss_bytes();

  std::string burst;
  for (int i = 0; i < 512; ++i) burst += client_frame(fin_ping, std::string(125, 'p'));
  // Pings as fast as the server takes them, never reading a pong: until the server cuts the
  // connection, or the bound (far beyond the write timeout) runs out.
  std::size_t sent = 0;
  std::size_t offset = 0;
  bool cut = false;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!cut && std::chrono::steady_clock::now() < deadline) {
    boost::system::error_code ec;
    const auto n = pinger.socket().write_some(boost::asio::buffer(burst.data() + offset,
                                                                  burst.size() - offset), ec);
    if (ec == boost::asio::error::would_block) {
      pinger.socket().wait(boost::asio::ip::tcp::socket::wait_write, ec);
      continue;
    }
    if (ec) {
      cut = true;  // reset or broken pipe: the server closed the connection
      break;
    }
    sent += n;
    offset = (offset + n) % burst.size();
  }
  EXPECT_TRUE(cut) << "still connected after " << sent / (1024 * 1024) << " MiB of pings";
  const auto rss_after = server_->rss_bytes();
  // One pending pong at most: the server's memory did not follow the pings.
  EXPECT_LT(rss_after, rss_before + 32 * 1024 * 1024)
      << "RSS grew by " << (rss_after - rss_before) / (1024 * 1024) << " MiB for "
      << sent / (1024 * 1024) << " MiB of pings";
  EXPECT_TRUE(server_->wait_for_output("closing client that stopped reading: user=pinger"));

  // Nobody else noticed.
  auto alice = connect("alice");
  EXPECT_EQ(alice->say(general, "a1", "still here")["client_id"], "a1");
}

TEST_F(hostile_clients_test, a_client_that_pipelines_requests_is_read_at_its_share_not_first) {
  restart({"--inbound-frame-rate", "100", "--metrics", "on"});
  auto flooder = connect("flooder");
  auto alice = connect("alice");
  const auto before = metric(port(), "chatterbox_frames_in_total");
  const auto started = std::chrono::steady_clock::now();

  for (int i = 0; i < 2000; ++i) {
    flooder->send({{"type", "history"}, {"room", general}, {"limit", 1}});
  }
  EXPECT_EQ(alice->history(general, 1, 1)["before"], 1);
  // Alice was answered while most of the flood was still unread: the flooder gets a second's
  // worth at once (100 frames) and then 100 a second, while everyone else is served.
  const auto handled = metric(port(), "chatterbox_frames_in_total") - before;
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_LE(handled, 100 + 100 * elapsed.count() + 32 + 2) << "in " << elapsed.count() << " s";
  EXPECT_LT(handled, 2000);
}

TEST_F(hostile_clients_test, a_frame_with_thousands_of_fields_is_refused_without_reading_it_all) {
  auto mallory = connect("mallory");
  auto alice = connect("alice");
  // 4,600 distinct keys in ~60 KB: parsed key by key this took quadratic time.
  std::string frame = R"({"type":"history")";
  for (int i = 0; i < 4600; ++i) frame += ",\"k" + std::to_string(i) + "\":1";
  frame += "}";
  for (int i = 0; i < 5; ++i) mallory->send_text(frame);
  for (int i = 0; i < 5; ++i) {
    const auto refused = mallory->expect("error");
    EXPECT_EQ(refused["code"], "invalid_json");
    EXPECT_EQ(refused["ref"], nullptr);
  }
  EXPECT_EQ(alice->history(general, std::nullopt, 1)["type"], "history");
}

TEST_F(hostile_clients_test, history_and_sync_have_a_rate_limit_like_sends) {
  restart({"--query-rate", "1", "--query-burst", "2"});
  auto alice = connect("alice");
  alice->send({{"type", "history"}, {"room", general}, {"limit", 1}});
  alice->send({{"type", "sync"}, {"since", 0}});
  alice->send({{"type", "history"}, {"room", general}, {"limit", 1}});
  // Three answers, the refusal possibly first (on PostgreSQL the two queries wait on the store).
  std::map<std::string, json> answers;
  for (int i = 0; i < 3; ++i) {
    const auto answer = alice->next();
    ASSERT_TRUE(answer.has_value()) << "answer " << i << " did not come";
    answers[(*answer)["type"]] = *answer;
  }
  EXPECT_TRUE(answers.contains("history"));
  EXPECT_TRUE(answers.contains("sync"));
  const auto refused = answers["error"];
  EXPECT_EQ(refused["code"], "rate_limited");
  EXPECT_EQ(refused["ref"], nullptr);
  EXPECT_GT(refused["retry_after_ms"].get<int>(), 0);
}

TEST_F(hostile_clients_test, a_peer_closed_in_the_middle_of_a_broadcast_costs_nobody_a_message) {
  restart({"--send-queue-bytes", "65536"});
  // Joined first, so it sits first in the list a broadcast walks: when it is dropped there,
  // every peer after it must still get that message, exactly once.
  auto stalled = connect("stalled");
  // A small receive window, so that the server's queue is what overflows, soon.
  stalled->raw_socket().set_option(boost::asio::socket_base::receive_buffer_size(4096));
  auto sender = connect("sender");
  std::vector<std::unique_ptr<ws_client>> readers;
  for (const auto* name : {"r1", "r2", "r3"}) readers.push_back(connect(name));
  // The sender watches the peer that will be dropped: it is told once, never inside a message.
  EXPECT_EQ(sender->watch({"stalled"})["online"], json::array({"stalled"}));
  std::vector<json> presence;

  // 16 KB each (4-byte characters, within the 4,000-character limit): the queue overflows soon.
  std::string filler;
  for (int i = 0; i < 3990; ++i) filler += "\U0001F600";
  std::vector<std::vector<int>> got(readers.size());
  int sent = 0;
  for (; sent < 1000 && server_->output().find("closing slow client: user=stalled") ==
                            std::string::npos;
       ++sent) {
    sender->send(general, std::to_string(sent), std::to_string(sent) + " " + filler);
    auto answer = sender->next();
    for (; answer && (*answer)["type"] == "presence"; answer = sender->next()) {
      presence.push_back(*answer);
    }
    ASSERT_TRUE(answer);
    ASSERT_EQ((*answer)["type"], "ack") << *answer;
    // Right behind the ack, its echo: nothing of a peer dropped in the middle of this
    // broadcast comes between them.
    const auto echo = sender->next();
    ASSERT_TRUE(echo);
    ASSERT_EQ((*echo)["type"], "message") << *echo;
    for (std::size_t r = 0; r < readers.size(); ++r) {
      const auto m = readers[r]->expect("message");
      got[r].push_back(std::stoi(m["text"].get<std::string>()));
    }
  }
  ASSERT_LT(sent, 1000) << "the stalled client was never dropped";
  // A few more after the drop.
  for (int extra = 0; extra < 3; ++extra, ++sent) {
    sender->say(general, std::to_string(sent), std::to_string(sent) + " after");
    for (std::size_t r = 0; r < readers.size(); ++r) {
      got[r].push_back(std::stoi(readers[r]->expect("message")["text"].get<std::string>()));
    }
  }
  std::vector<int> all(static_cast<std::size_t>(sent));
  for (int i = 0; i < sent; ++i) all[static_cast<std::size_t>(i)] = i;
  for (std::size_t r = 0; r < readers.size(); ++r) EXPECT_EQ(got[r], all) << "reader " << r + 1;

  for (const auto& event : sender->skipped) {
    if (event["type"] == "presence") presence.push_back(event);
  }
  const auto gone = [](const json& e) { return reports(e, "stalled", false); };
  if (std::none_of(presence.begin(), presence.end(), gone)) {
    for (auto& event : sender->presence_until("stalled", false)) presence.push_back(event);
  }
  EXPECT_EQ(std::count_if(presence.begin(), presence.end(), gone), 1) << json(presence);
}

// Requests on several connections that the server must read in one turn of its loop: each is
// sent but for its last byte; once a later request on another connection has been answered,
// the server has accepted them all and is waiting for that byte, so the last bytes, sent
// together, are read together.
class held_requests {
 public:
  held_requests(std::uint16_t port, std::vector<std::string> requests) : port_(port) {
    for (auto& request : requests) {
      last_bytes_.push_back(request.back());
      request.pop_back();
      connections_.push_back(std::make_unique<raw_websocket>(port, request));
    }
    // Accepted and read in order: once this is answered, every connection above is waiting.
    EXPECT_EQ(http_request(port_, http::verb::get, "/api/health").status, 200u);
  }

  void release() {
    for (std::size_t i = 0; i < connections_.size(); ++i) {
      connections_[i]->write(std::string(1, last_bytes_[i]));
    }
  }

  raw_websocket& operator[](std::size_t i) { return *connections_[i]; }
  std::size_t size() const { return connections_.size(); }

 private:
  std::uint16_t port_;
  std::vector<std::unique_ptr<raw_websocket>> connections_;
  std::string last_bytes_;
};

TEST_F(hostile_clients_test, upgrades_racing_each_other_cannot_pass_the_per_user_cap) {
  restart({"--max-connections-per-user", "2"});
  const auto token = token_for(port(), "racer");
  held_requests racers(port(), std::vector<std::string>(5, upgrade_request(token)));
  racers.release();
  int upgraded = 0;
  int refused = 0;
  for (std::size_t i = 0; i < racers.size(); ++i) {
    const auto head = racers[i].response_head();
    if (head.rfind("HTTP/1.1 101", 0) == 0) ++upgraded;
    if (head.rfind("HTTP/1.1 503", 0) == 0) ++refused;
  }
  EXPECT_EQ(upgraded, 2);
  EXPECT_EQ(refused, 3);
}

TEST_F(hostile_clients_test, a_logout_racing_an_upgrade_still_closes_that_connection) {
  const auto token = token_for(port(), "racer");
  // The upgrade and the logout arrive together: the upgrade is authorised, then the token is
  // revoked before its 101 has gone out. The new connection must be closed like any other.
  held_requests both(port(), {upgrade_request(token),
                              "POST /api/logout HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Content-Type: application/json\r\nContent-Length: 2\r\n"
                              "Authorization: Bearer " + token + "\r\n\r\n{}"});
  both.release();
  EXPECT_EQ(both[1].response_head().rfind("HTTP/1.1 200", 0), 0u);
  const auto head = both[0].response_head();
  if (head.rfind("HTTP/1.1 101", 0) == 0) {
    const auto close = both[0].find(fin_close & 0x0F);
    ASSERT_TRUE(close) << "the connection outlived its token's logout";
    EXPECT_EQ(close->close_code(), 4001);
  } else {
    EXPECT_EQ(head.rfind("HTTP/1.1 401", 0), 0u) << head;  // the logout won outright
  }
}

}  // namespace
}  // namespace chatterbox::test_support
