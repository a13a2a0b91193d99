#pragma once

#include "chatterbox/postgres/pg_connection.hpp"

#include "support/postgres_process.hpp"
#include "support/run_until.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatterbox::test_support {

// A suite on one PostgreSQL (initdb costs a second or two): it skips, saying why, where
// PostgreSQL cannot run at all, and gives each test connections on the event loop and a way
// to run one statement to its answer.
class postgres_fixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      server_ = new postgres_process();
    } catch (const postgres_unavailable& e) {
      unavailable_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    if (server_ == nullptr && !unavailable_.empty()) {
      GTEST_SKIP() << "PostgreSQL cannot run here: " << unavailable_;
    }
    ASSERT_NE(server_, nullptr) << "PostgreSQL did not start (see the suite's setup)";
  }

  std::shared_ptr<pg_connection> connect(const std::string& conninfo,
                                         pg_connection::options opts = {}) {
    auto connection = pg_connection::create(
        io_, conninfo, opts,
        {.connected = [this] { ++connected_; },
         .lost = [this](const std::string& why) { lost_.push_back(why); }});
    connection->start();
    return connection;
  }

  // A connection that is up (the test fails if it does not come up).
  std::shared_ptr<pg_connection> connected(const std::string& conninfo) {
    const int before = connected_;
    auto connection = connect(conninfo);
    EXPECT_TRUE(run_until([&] { return connected_ > before; }))
        << (lost_.empty() ? "no answer" : lost_.back());
    return connection;
  }

  template <typename Done>
  bool run_until(Done done, std::chrono::milliseconds bound = std::chrono::seconds(10)) {
    return test_support::run_until(io_, done, bound);
  }

  // Runs one statement (and a sync) and waits for its result.
  pg_result run(pg_connection& connection, std::string_view sql,
                const pg_connection::parameters& params = {}) {
    std::optional<pg_result> result;
    EXPECT_TRUE(connection.query(sql, params, [&](const pg_result* r) {
      result = r ? *r : pg_result{.error = "connection lost"};
    }));
    connection.sync();
    EXPECT_TRUE(run_until([&] { return result.has_value(); }));
    return result.value_or(pg_result{.error = "no answer"});
  }

  static inline postgres_process* server_ = nullptr;
  static inline std::string unavailable_;
  boost::asio::io_context io_;
  int connected_ = 0;
  std::vector<std::string> lost_;
};

}  // namespace chatterbox::test_support
