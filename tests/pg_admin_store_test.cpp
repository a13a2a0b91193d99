// Administration on PostgreSQL shared by nodes (store/pg_admin_store.hpp): what two nodes'
// administrators decide at the same moment still keeps the rules one node keeps. (The whole
// admin API runs on PostgreSQL in the integration suites: tests/run_on_postgres.sh.)

#include "chatterbox/store/pg_admin_store.hpp"
#include "chatterbox/postgres/pg_batcher.hpp"

#include "support/pg_store_fixture.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace chatterbox {
namespace {

constexpr std::int64_t admin_now = 1'000'000;

class pg_admin_store_test : public test_support::pg_store_fixture {
 protected:
  void SetUp() override {
    pg_store_fixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    migrate_and_populate();  // alice (1) administrator, bob (2), carol (3)
    for (auto& node : nodes_) {
      node.writes = std::make_unique<pg_batcher>(io_, url_);
      node.writes->start();
      node.store = std::make_unique<pg_admin_store>(*node.writes);
    }
  }

  struct node {
    std::unique_ptr<pg_batcher> writes;
    std::unique_ptr<pg_admin_store> store;
  };
  node nodes_[2];

  std::string value(std::string_view sql) {
    const auto result = run(*db_, sql);
    EXPECT_TRUE(result.ok) << result.error;
    return result.ok && !result.rows.empty() ? result.value(0, 0).value_or("") : "";
  }
};

TEST_F(pg_admin_store_test, TwoAdministratorsDemotingEachOtherOnTwoNodesLeaveOne) {
  ASSERT_TRUE(run(*db_, "UPDATE users SET role = 'admin' WHERE id = 2").ok);
  // Submitted in the same loop turn on two nodes: both batches reach PostgreSQL together.
  std::vector<account_outcome> outcomes;
  nodes_[0].store->change_account("bob", account_action::demote, 1, admin_now,
                                  [&](bool ok, account_outcome& o) {
                                    EXPECT_TRUE(ok);
                                    outcomes.push_back(o);
                                  });
  nodes_[1].store->change_account("alice", account_action::deactivate, 2, admin_now,
                                  [&](bool ok, account_outcome& o) {
                                    EXPECT_TRUE(ok);
                                    outcomes.push_back(o);
                                  });
  ASSERT_TRUE(run_until([&] { return outcomes.size() == 2; }));
  int done = 0;
  int refused = 0;
  for (const auto& o : outcomes) {
    if (o.result.outcome == account_change::done) ++done;
    if (o.result.outcome == account_change::last_admin) ++refused;
  }
  EXPECT_EQ(done, 1);
  EXPECT_EQ(refused, 1);
  EXPECT_EQ(value("SELECT count(*) FROM users WHERE role = 'admin' AND deactivated_at IS NULL"),
            "1");
  // One change, one audit entry.
  EXPECT_EQ(value("SELECT count(*) FROM admin_audit"), "1");
}

TEST_F(pg_admin_store_test, AResetLinkUsedOnTwoNodesAtOnceSetsOnePassword) {
  std::optional<bool> made;
  nodes_[0].store->create_reset("Bob", "digest-of-link", admin_now + 1000, 1, admin_now,
                                [&](bool ok, bool& found) { made = ok && found; });
  ASSERT_TRUE(run_until([&] { return made.has_value(); }));
  ASSERT_TRUE(*made);
  ASSERT_TRUE(run(*db_,
                  "INSERT INTO tokens (token_hash, user_id, created_at, expires_at) "
                  "VALUES ('old-session', 2, 0, 9999999)")
                  .ok);

  std::vector<reset_use> uses;
  for (int i = 0; i < 2; ++i) {
    nodes_[i].store->use_reset("digest-of-link", "hash " + std::to_string(i),
                               new_token{"new-session-" + std::to_string(i),
                                         0,
                                         admin_now,
                                         admin_now + 5000,
                                         {"agent", "192.0.2.1"}},
                               [&](bool ok, reset_use& used) {
                                 EXPECT_TRUE(ok);
                                 uses.push_back(used);
                               });
  }
  ASSERT_TRUE(run_until([&] { return uses.size() == 2; }));
  ASSERT_EQ(uses[0].user.has_value() + uses[1].user.has_value(), 1);
  const auto& winner = uses[0].user ? *uses[0].user : *uses[1].user;
  EXPECT_EQ(winner.username, "bob");
  EXPECT_EQ(value("SELECT password_hash FROM users WHERE id = 2"), winner.password_hash);
  // The old session ended; the winner's new one is bob's only session; the link is gone.
  EXPECT_EQ(value("SELECT count(*) FROM tokens WHERE user_id = 2"), "1");
  EXPECT_EQ(value("SELECT count(*) FROM password_resets"), "0");
  EXPECT_EQ(value("SELECT count(*) FROM admin_audit WHERE action = 'reset_link'"), "1");
}

}  // namespace
}  // namespace chatterbox
