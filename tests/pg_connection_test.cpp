#include "chatterbox/postgres/pg_connection.hpp"

#include "support/postgres_fixture.hpp"

#include <gtest/gtest.h>

namespace chatterbox {
namespace {

using namespace std::chrono_literals;
using test_support::postgres_process;

class pg_connection_test : public test_support::postgres_fixture {};

TEST_F(pg_connection_test, ParametersGoInAndRowsComeOutAsText) {
  auto c = connect(server_->url());
  ASSERT_TRUE(run_until([&] { return connected_ == 1; })) << (lost_.empty() ? "" : lost_[0]);
  const auto r = run(*c, "SELECT $1::text || '!', $2::int + 1, $3::text IS NULL, NULL::text",
                     {"héllo 'x'", "41", std::nullopt});
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.value(0, 0), "héllo 'x'!");
  EXPECT_EQ(r.value(0, 1), "42");
  EXPECT_EQ(r.value(0, 2), "t");
  EXPECT_EQ(r.value(0, 3), std::nullopt);
}

TEST_F(pg_connection_test, PipelinedStatementsAnswerInOrder) {
  auto c = connect(server_->url());
  ASSERT_TRUE(run_until([&] { return connected_ == 1; }));
  ASSERT_TRUE(run(*c, "CREATE TABLE IF NOT EXISTS counter_t (n int)").ok);
  std::vector<std::string> answers;
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE(c->query("SELECT $1::int * 2", {std::to_string(i)}, [&](const pg_result* r) {
      ASSERT_NE(r, nullptr);
      answers.push_back(r->value(0, 0).value_or("null"));
    }));
    if (i % 100 == 99) c->sync();
  }
  ASSERT_TRUE(run_until([&] { return answers.size() == 2000; }));
  for (int i = 0; i < 2000; ++i) EXPECT_EQ(answers[static_cast<std::size_t>(i)], std::to_string(2 * i));
  EXPECT_EQ(c->pending(), 0u);
}

TEST_F(pg_connection_test, ASegmentIsOneTransactionAndAFailureUndoesItAlone) {
  auto c = connect(server_->url());
  ASSERT_TRUE(run_until([&] { return connected_ == 1; }));
  ASSERT_TRUE(run(*c, "CREATE TABLE IF NOT EXISTS batch_t (id int PRIMARY KEY)").ok);
  ASSERT_TRUE(run(*c, "TRUNCATE batch_t").ok);
  std::vector<pg_result> results;
  auto keep = [&](const pg_result* r) { results.push_back(*r); };
  // Batches as the group commit will send them: statements, then a sync.
  c->query("INSERT INTO batch_t VALUES (1)", {}, keep);
  c->query("INSERT INTO batch_t VALUES (2)", {}, keep);
  c->sync();
  c->query("INSERT INTO batch_t VALUES (3)", {}, keep);
  c->query("INSERT INTO batch_t VALUES (1)", {}, keep);  // a duplicate key
  c->query("INSERT INTO batch_t VALUES (4)", {}, keep);
  c->sync();
  c->query("INSERT INTO batch_t VALUES (5)", {}, keep);
  c->sync();
  ASSERT_TRUE(run_until([&] { return results.size() == 6; }));
  EXPECT_TRUE(results[0].ok && results[1].ok && results[2].ok);
  EXPECT_FALSE(results[3].ok);
  EXPECT_EQ(results[3].sqlstate, "23505") << results[3].error;
  EXPECT_TRUE(results[4].aborted);
  EXPECT_TRUE(results[5].ok) << results[5].error;
  const auto rows = run(*c, "SELECT string_agg(id::text, ',' ORDER BY id) FROM batch_t");
  EXPECT_EQ(rows.value(0, 0), "1,2,5") << "3 went with the failed segment";
}

TEST_F(pg_connection_test, AHostNameIsResolvedWithoutBlocking) {
  auto c = connect("postgresql://postgres@localhost:" + std::to_string(server_->port()) +
                   "/postgres");
  ASSERT_TRUE(run_until([&] { return connected_ == 1; })) << (lost_.empty() ? "" : lost_[0]);
  EXPECT_EQ(run(*c, "SELECT 1").value(0, 0), "1");
}

TEST_F(pg_connection_test, ABadConnectionStringOrAbsentServerIsALostConnection) {
  auto bad = connect("postgresql://postgres@127.0.0.1:notaport/x");
  ASSERT_TRUE(run_until([&] { return lost_.size() == 1; }));
  auto absent = connect("postgresql://postgres@127.0.0.1:" +
                        std::to_string(test_support::free_tcp_port()) + "/postgres");
  ASSERT_TRUE(run_until([&] { return lost_.size() == 2; }));
  EXPECT_NE(lost_[1].find("cannot connect"), std::string::npos) << lost_[1];
  auto unknown = connect("postgresql://postgres@no-such-host.invalid/postgres");
  ASSERT_TRUE(run_until([&] { return lost_.size() == 3; }));
  EXPECT_EQ(connected_, 0);
}

TEST_F(pg_connection_test, AServerThatDiesAnswersEveryWaitingStatementAndSaysLostOnce) {
  postgres_process own;
  auto c = connect(own.url());
  ASSERT_TRUE(run_until([&] { return connected_ == 1; }));
  int lost_answers = 0;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(c->query("SELECT pg_sleep(30)", {}, [&](const pg_result* r) {
      if (r == nullptr) ++lost_answers;
    }));
  }
  c->sync();  // sent at once: whether the server has begun them or not, they are waiting
  own.stop_immediately();
  ASSERT_TRUE(run_until([&] { return !lost_.empty(); }, 20000ms));
  EXPECT_EQ(lost_answers, 5);
  EXPECT_EQ(lost_.size(), 1u);
  EXPECT_FALSE(c->query("SELECT 1", {}, [](const pg_result*) {}));
}

TEST_F(pg_connection_test, ASlowServerCannotMakeTheNodeHoldMoreThanTheBound) {
  auto c = connect(server_->url(), {.max_pending = 1000, .max_pending_bytes = 1000});
  ASSERT_TRUE(run_until([&] { return connected_ == 1; }));
  const std::string big(300, 'x');
  int accepted = 0;
  while (c->query("SELECT length($1)", {big}, [](const pg_result*) {})) ++accepted;
  EXPECT_EQ(accepted, 3) << "1000 bytes of statements at most";
  c->sync();
  ASSERT_TRUE(run_until([&] { return c->pending() == 0; }));
  EXPECT_TRUE(c->query("SELECT 1", {}, [](const pg_result*) {}));
}

}  // namespace
}  // namespace chatterbox
