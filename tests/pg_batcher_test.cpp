// Group commit on PostgreSQL (postgres/pg_batcher) against a real PostgreSQL 15: writes share a
// commit and are answered after it, an unexpected failure refuses its batch and nothing else, a
// lost server refuses what was in flight and is reconnected to, and a server that stays away
// makes writes wait a bounded time, bounded in number.
#include "chatterbox/postgres/pg_batcher.hpp"

#include "support/pg_store_fixture.hpp"

#include <gtest/gtest.h>

namespace chatterbox {
namespace {

using namespace std::chrono_literals;
using test_support::send_sql;

class pg_batcher_test : public test_support::pg_store_fixture {
 protected:
  std::unique_ptr<pg_batcher> batcher(const std::string& url, pg_batcher::limits limits = {}) {
    auto b = std::make_unique<pg_batcher>(
        io_, url, limits,
        pg_batcher::handlers{.connected = [this] { ++batcher_connected_; },
                             .lost = [this](const std::string&) { ++batcher_lost_; }});
    b->start();
    return b;
  }

  // Submits a send; its answer lands in answers_[index] ("refused" when refused).
  void submit_send(pg_batcher& b, int user, const std::string& client_id) {
    const auto index = answers_.size();
    answers_.emplace_back();
    b.submit(std::string(send_sql), send_parameters(user, 1, client_id),
             [this, index](const pg_result* r) {
               answers_[index] =
                   r == nullptr ? "refused"
                                : r->value(0, 0).value_or("") + " " + r->value(0, 3).value_or("");
             });
  }
  bool all_answered() const {
    return std::all_of(answers_.begin(), answers_.end(), [](const auto& a) { return !a.empty(); });
  }

  std::vector<std::string> answers_;
  int batcher_connected_ = 0;
  int batcher_lost_ = 0;
};

TEST_F(pg_batcher_test, WritesSubmittedTogetherShareACommitAndAreAnsweredAfterIt) {
  migrate_and_populate();
  auto b = batcher(url_);
  for (int i = 0; i < 1200; ++i) submit_send(*b, 1 + i % 3, "c" + std::to_string(i));
  ASSERT_TRUE(run_until([&] { return all_answered(); }, 30s));
  for (int i = 0; i < 1200; ++i) {
    ASSERT_EQ(answers_[static_cast<std::size_t>(i)], "stored " + std::to_string(i + 1))
        << "in the order submitted";
  }
  EXPECT_EQ(b->batches_committed(), 3u) << "512 + 512 + 176, sent together";
  EXPECT_EQ(b->writes_refused(), 0u);
}

TEST_F(pg_batcher_test, AnUnexpectedFailureRefusesItsWholeBatchAndNothingElse) {
  migrate_and_populate();
  auto b = batcher(url_);
  ASSERT_TRUE(run_until([&] { return b->connected(); }));
  submit_send(*b, 1, "a");
  std::optional<bool> divided;
  b->submit("SELECT 1 / 0", {}, [&](const pg_result* r) { divided = r != nullptr; });
  submit_send(*b, 2, "b");
  ASSERT_TRUE(run_until([&] { return all_answered() && divided; }));
  EXPECT_EQ(answers_, (std::vector<std::string>{"refused", "refused"}));
  EXPECT_FALSE(*divided);
  submit_send(*b, 3, "c");
  ASSERT_TRUE(run_until([&] { return all_answered(); }));
  EXPECT_EQ(answers_[2], "stored 1") << "the refused batch took no seq";
  EXPECT_EQ(run(*db_, "SELECT string_agg(client_id, ',') FROM messages").value(0, 0), "c");
  EXPECT_EQ(b->writes_refused(), 3u);
}

TEST_F(pg_batcher_test, ABatchRolledBackToBreakADeadlockWithAnotherNodesRunsAgain) {
  migrate_and_populate();
  run(*db_, "CREATE TABLE contended (id int PRIMARY KEY, v int)");
  run(*db_, "INSERT INTO contended VALUES (1, 0), (2, 0)");
  // Two nodes' batches lock the same two rows in opposite orders: PostgreSQL rolls one back.
  auto first = batcher(url_);
  auto second = batcher(url_);
  ASSERT_TRUE(run_until([&] { return first->connected() && second->connected(); }));
  std::vector<std::string> answers;
  const auto lock_both = [&](pg_batcher& b, int one, int other) {
    const auto update = [&](int id) {
      b.submit("UPDATE contended SET v = v + 1 WHERE id = " + std::to_string(id), {},
               [&](const pg_result* r) { answers.push_back(r ? "ok" : "refused"); });
    };
    update(one);
    b.submit("SELECT pg_sleep(0.3)", {}, [](const pg_result*) {});
    update(other);
  };
  lock_both(*first, 1, 2);
  lock_both(*second, 2, 1);
  ASSERT_TRUE(run_until([&] { return answers.size() == 4; }, 30s));
  EXPECT_EQ(answers, (std::vector<std::string>(4, "ok")));
  // At least once: a retry can meet the other batch again (its rolled-back lock on a row was
  // taken by the retry before the waiting batch woke), and is then run once more.
  EXPECT_GE(first->batches_retried() + second->batches_retried(), 1u);
  EXPECT_EQ(run(*db_, "SELECT sum(v) FROM contended").value(0, 0), "4") << "each update once";
}

TEST_F(pg_batcher_test, ALostServerRefusesWhatWasInFlightAndIsReconnectedTo) {
  test_support::postgres_process own;
  const auto url = own.create_database("chat");
  {
    auto setup = connected(url);
    ASSERT_TRUE(migrate(*setup).version);
    for (const auto sql : test_support::people_and_rooms) ASSERT_TRUE(run(*setup, sql).ok);
  }
  auto b = batcher(url, {.unavailable_wait = 60s, .reconnect_min = 20ms, .reconnect_max = 200ms});
  ASSERT_TRUE(run_until([&] { return b->connected(); }));
  std::optional<bool> slept;
  b->submit("SELECT pg_sleep(30)", {}, [&](const pg_result* r) { slept = r != nullptr; });
  submit_send(*b, 1, "in flight");
  ASSERT_TRUE(run_until([&] { return b->in_flight() == 1; }));  // sent: the server sleeps on it
  own.stop_immediately();
  ASSERT_TRUE(run_until([&] { return slept.has_value() && all_answered(); }, 20s));
  EXPECT_FALSE(*slept);
  EXPECT_EQ(answers_[0], "refused");
  EXPECT_GE(batcher_lost_, 1);

  submit_send(*b, 1, "while away");  // waits for the server rather than failing
  own.start_again();
  ASSERT_TRUE(run_until([&] { return all_answered(); }, 30s));
  EXPECT_EQ(answers_[1], "stored 1");
  EXPECT_EQ(batcher_connected_, 2);
}

TEST_F(pg_batcher_test, WhileTheServerStaysAwayWritesWaitABoundedTimeInABoundedNumber) {
  const auto nowhere =
      "postgresql://postgres@127.0.0.1:" + std::to_string(test_support::free_tcp_port()) + "/chat";
  auto b = batcher(
      nowhere,
      {.unavailable_wait = 300ms, .max_pending = 3, .reconnect_min = 20ms, .reconnect_max = 50ms});
  for (int i = 0; i < 4; ++i) submit_send(*b, 1, "c" + std::to_string(i));
  ASSERT_TRUE(run_until([&] { return !answers_[3].empty(); }));
  EXPECT_EQ(answers_[3], "refused") << "beyond max_pending at once";
  EXPECT_TRUE(answers_[0].empty()) << "the others still wait";
  EXPECT_EQ(b->pending(), 3u);
  ASSERT_TRUE(run_until([&] { return all_answered(); }, 5s));
  EXPECT_EQ(answers_, std::vector<std::string>(4, "refused"));
  submit_send(*b, 1, "late");
  ASSERT_TRUE(run_until([&] { return all_answered(); }));
  EXPECT_EQ(b->pending(), 0u) << "refused without waiting again";
  EXPECT_EQ(batcher_connected_, 0);
}

}  // namespace
}  // namespace chatterbox
