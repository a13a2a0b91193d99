// Three nodes on one PostgreSQL and one Redis, clients spread over them, all sending into the
// general room while the deployment fails under them: a node is killed with SIGKILL (its
// clients reconnect elsewhere, sync, and resend what was not acknowledged), Redis is restarted,
// and PostgreSQL is stopped with `-m immediate` and started again (docs/scale-out.md, "What
// happens on each failure"). Afterwards every client has seen every seq of the run exactly
// once, in order, on each connection, and every acknowledged client_id is stored exactly once.

#include "support/postgres_fixture.hpp"
#include "support/redis_process.hpp"
#include "support/server_process.hpp"
#include "support/test_client.hpp"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace chatterbox {
namespace {

using namespace std::chrono_literals;
using test_support::json;
using test_support::redis_process;
using test_support::server_process;
using test_support::token_for;
using test_support::ws_client;

constexpr std::size_t node_count = 3;
constexpr int clients_per_node = 2;
constexpr int messages_per_client = 100;
// A client retries within this long before the test calls the deployment broken.
constexpr auto give_up_after = 90s;

// How far the run has got (acknowledged sends), for the faults to be timed by progress.
class send_progress {
 public:
  void acked() {
    std::lock_guard lock(mutex_);
    ++acks_;
    changed_.notify_all();
  }
  bool wait_for(int acks, std::chrono::seconds bound) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, bound, [&] { return acks_ >= acks; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int acks_ = 0;
};

// One user's client, as the web client behaves: sends one message at a time and waits for its
// ack; on a lost connection (or a refused connect) it goes to the next node that is up, syncs
// from the last seq it has, and sends the unacknowledged message again; a send refused while
// the database is away is sent again shortly.
class cluster_client {
 public:
  cluster_client(std::string user, std::string token, std::vector<std::uint16_t> ports,
                 std::size_t node, const std::array<std::atomic<bool>, node_count>& up,
                 send_progress& sent)
      : user_(std::move(user)),
        token_(std::move(token)),
        ports_(std::move(ports)),
        node_(node),
        up_(up),
        sent_(sent) {}

  void send_all() {
    for (int i = 0; i < messages_per_client; ++i) send_one(user_ + "-" + std::to_string(i));
  }

  // Reads (reconnecting if need be) until every seq up to `last` has arrived.
  void catch_up_to(std::int64_t last) {
    const auto deadline = std::chrono::steady_clock::now() + give_up_after;
    while (contiguous() < last) {
      if (std::chrono::steady_clock::now() > deadline) {
        return fail("did not catch up to seq " + std::to_string(last) + ", stopped at " +
                    std::to_string(contiguous()));
      }
      if (!ws_) {
        connect_somewhere(deadline);
        continue;
      }
      auto event = ws_->next(2s);
      if (!event) {
        if (!ws_->last_error().empty()) ws_.reset();
        continue;
      }
      take(*event, true);
    }
  }

  void set_first_seq(std::int64_t first) { first_ = first; }
  std::int64_t contiguous() const {
    std::int64_t at = first_ - 1;
    for (auto it = seen_.lower_bound(first_); it != seen_.end() && *it == at + 1; ++it) at = *it;
    return at;
  }
  const std::vector<std::string>& acked() const { return acked_; }
  const std::vector<std::string>& failures() const { return failures_; }
  const std::set<std::int64_t>& seen() const { return seen_; }
  int reconnects() const { return reconnects_; }
  // When a live message first arrived after the first reconnect (the failover's end).
  std::optional<std::chrono::steady_clock::time_point> live_again() const { return live_again_; }
  int resends() const { return resends_; }

 private:
  void fail(const std::string& why) { failures_.push_back(user_ + ": " + why); }

  void send_one(const std::string& client_id) {
    const auto deadline = std::chrono::steady_clock::now() + give_up_after;
    bool sent = false;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!ws_) {
        connect_somewhere(deadline);
        sent = false;
        continue;
      }
      try {
        if (!sent) ws_->send(1, client_id, "message " + client_id);
        sent = true;
        auto event = ws_->next(5s);
        if (!event) {
          ws_.reset();  // closed, or a node that stopped answering: go elsewhere
          ++resends_;
          continue;
        }
        if (event->value("type", "") == "ack" && event->value("client_id", "") == client_id) {
          acked_.push_back(client_id);
          sent_.acked();
          return;
        }
        if (event->value("type", "") == "error" && event->value("ref", json()) == client_id) {
          // The database is away (internal) or the node is busy: the outbox tries again.
          std::this_thread::sleep_for(100ms);
          sent = false;
          ++resends_;
          continue;
        }
        take(*event, true);
      } catch (const std::exception&) {
        ws_.reset();
      }
    }
    fail("no ack for " + client_id);
  }

  void connect_somewhere(std::chrono::steady_clock::time_point deadline) {
    while (std::chrono::steady_clock::now() < deadline) {
      for (std::size_t step = 0; step < node_count; ++step) {
        const auto node = (node_ + step) % node_count;
        if (!up_[node]) continue;
        try {
          auto ws = ws_client::connect(ports_[node], token_);
          live_last_ = ws->hello.at("seq").get<std::int64_t>();
          ws_ = std::move(ws);
          node_ = node;
          if (connected_once_) {
            ++reconnects_;
            awaiting_live_ = true;
          }
          connected_once_ = true;
          sync_from(contiguous());
          return;
        } catch (const std::exception&) {
          ws_.reset();  // refused (the database is away) or gone meanwhile: the next node
        }
      }
      std::this_thread::sleep_for(200ms);  // every node refused: back off, as the client does
    }
    fail("could not connect to any node");
  }

  // The catch-up after a reconnect: sync pages, with whatever arrives live meanwhile.
  void sync_from(std::int64_t since) {
    for (;;) {
      auto got = ws_->until_answer({{"type", "sync"}, {"since", since}},
                                   [](const json& e) { return e.value("type", "") == "sync"; });
      for (const auto& event : got.events) take(event, true);
      for (const auto& message : got.answer.at("messages")) take(message, false);
      since = got.answer.at("seq").get<std::int64_t>();
      if (!got.answer.value("has_more", false)) return;
    }
  }

  void take(const json& event, bool live) {
    const bool is_message = !live || event.value("type", "") == "message";
    if (!is_message || event.value("room", 0) != 1) return;
    const auto seq = event.at("seq").get<std::int64_t>();
    if (live) {
      // What one connection is sent live: every seq after its hello, once, in order.
      if (seq != live_last_ + 1) {
        fail("live seq " + std::to_string(seq) + " after " + std::to_string(live_last_));
      }
      live_last_ = seq;
      if (awaiting_live_) {
        awaiting_live_ = false;
        // The first reconnect's only: a later one (the database's restart) is not the failover.
        if (!live_again_) live_again_ = std::chrono::steady_clock::now();
      }
    }
    seen_.insert(seq);
  }

  std::string user_;
  std::string token_;
  std::vector<std::uint16_t> ports_;
  std::size_t node_;
  const std::array<std::atomic<bool>, node_count>& up_;
  send_progress& sent_;
  std::unique_ptr<ws_client> ws_;
  std::int64_t live_last_ = 0;
  std::int64_t first_ = 1;
  std::set<std::int64_t> seen_;
  std::vector<std::string> acked_;
  std::vector<std::string> failures_;
  bool connected_once_ = false;
  int reconnects_ = 0;
  int resends_ = 0;
  bool awaiting_live_ = false;
  std::optional<std::chrono::steady_clock::time_point> live_again_;
};

class server_cluster_test : public test_support::postgres_fixture {};

TEST_F(server_cluster_test,
       EveryClientSeesEverySeqOnceThroughANodeCrashARedisRestartAndAPostgresRestart) {
  const auto url = server_->create_database("cluster");
  std::optional<redis_process> redis;
  redis.emplace();
  const auto redis_port = redis->port();
  // --db is never opened (everything is in PostgreSQL); the nodes share one files directory.
  const auto files_dir = std::filesystem::temp_directory_path() /
                         ("chatterbox-cluster-files-" + std::to_string(std::random_device{}()));
  struct removed_at_the_end {
    std::filesystem::path path;
    ~removed_at_the_end() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  } files_cleanup{files_dir};
  const std::vector<std::string> args{
      "--store",         url,      "--bus",       redis->url(),      "--message-rate", "100000",
      "--message-burst", "100000", "--files-dir", files_dir.string()};
  std::vector<std::unique_ptr<server_process>> nodes;
  std::vector<std::uint16_t> ports;
  std::array<std::atomic<bool>, node_count> up{};
  for (std::size_t i = 0; i < node_count; ++i) {
    nodes.push_back(std::make_unique<server_process>("/nonexistent/unused.db", args));
    ports.push_back(nodes.back()->port());
    up[i] = true;
  }

  // Every account first (a new account takes a seq too, and no client sees that one).
  send_progress sent;
  std::vector<std::unique_ptr<cluster_client>> clients;
  for (std::size_t node = 0; node < node_count; ++node) {
    for (int i = 0; i < clients_per_node; ++i) {
      const auto user = "u" + std::to_string(node) + std::to_string(i);
      clients.push_back(std::make_unique<cluster_client>(user, token_for(ports[node], user), ports,
                                                         node, up, sent));
    }
  }
  auto db = connected(url);
  const auto first_seq =
      std::stoll(run(*db, "SELECT value FROM seq_counter").rows.at(0).at(0).value()) + 1;
  for (auto& client : clients) client->set_first_seq(first_seq);

  std::vector<std::thread> senders;
  for (auto& client : clients) senders.emplace_back([&client] { client->send_all(); });

  const int total = static_cast<int>(clients.size()) * messages_per_client;
  // The faults, one after another, each once the run is under way again.
  EXPECT_TRUE(sent.wait_for(total / 5, 60s));
  up[0] = false;
  const auto killed_at = std::chrono::steady_clock::now();
  nodes[0]->kill_hard();
  EXPECT_TRUE(sent.wait_for(2 * total / 5, 60s));
  redis.reset();
  redis.emplace(redis_port);
  EXPECT_TRUE(sent.wait_for(3 * total / 5, 60s));
  server_->stop_immediately();
  server_->start_again();
  for (auto& sender : senders) sender.join();

  db = connected(url);
  const auto last = std::stoll(run(*db, "SELECT max(seq) FROM messages").rows.at(0).at(0).value());
  std::vector<std::thread> readers;
  for (auto& client : clients) readers.emplace_back([&client, last] { client->catch_up_to(last); });
  for (auto& reader : readers) reader.join();

  // Only the run's messages took seqs: first_seq..last without a hole.
  const auto stored =
      run(*db, "SELECT count(*), count(DISTINCT client_id), min(seq) FROM messages");
  const auto& counts = stored.rows.at(0);
  EXPECT_EQ(std::stoll(counts.at(0).value()), last - first_seq + 1);
  EXPECT_EQ(std::stoll(counts.at(2).value()), first_seq);
  // Each acknowledged client_id exactly once, nothing stored twice.
  EXPECT_EQ(counts.at(0), counts.at(1));
  std::map<std::string, int> stored_ids;
  for (const auto& row : run(*db, "SELECT client_id FROM messages").rows) {
    ++stored_ids[row.at(0).value()];
  }
  int reconnects = 0;
  int resends = 0;
  for (const auto& client : clients) {
    for (const auto& failure : client->failures()) ADD_FAILURE() << failure;
    EXPECT_EQ(client->acked().size(), static_cast<std::size_t>(messages_per_client));
    for (const auto& id : client->acked()) EXPECT_EQ(stored_ids[id], 1) << id;
    EXPECT_EQ(client->contiguous(), last);
    EXPECT_EQ(*client->seen().begin(), first_seq);
    reconnects += client->reconnects();
    resends += client->resends();
  }
  EXPECT_EQ(stored_ids.size(), static_cast<std::size_t>(total));
  // Failover (docs/benchmarks.md): from the kill until the killed node's clients were sent a
  // live message again through another node.
  std::chrono::steady_clock::duration failover{};
  for (std::size_t i = 0; i < static_cast<std::size_t>(clients_per_node); ++i) {
    const auto back = clients[i]->live_again();
    ASSERT_TRUE(back) << "a client of the killed node never had a live message again";
    failover = std::max(failover, *back - killed_at);
  }
  std::cout << "failover: "
            << std::chrono::duration_cast<std::chrono::microseconds>(failover).count() / 1000.0
            << " ms\n";
  std::cout << "cluster run: " << total << " messages, seqs " << first_seq << ".." << last << ", "
            << reconnects << " reconnects, " << resends << " sends again\n";
  // The killed node's clients at least went elsewhere.
  EXPECT_GE(reconnects, clients_per_node);
}

}  // namespace
}  // namespace chatterbox
