// The session store's contract (store/session_store.hpp), one suite on SQLite and on
// PostgreSQL: registration, the first administrator, tokens found, touched and revoked.

#include "chatterbox/postgres/pg_batcher.hpp"
#include "chatterbox/storage/database.hpp"
#include "chatterbox/store/pg_session_store.hpp"
#include "chatterbox/store/sqlite_session_store.hpp"

#include "support/pg_store_fixture.hpp"
#include "support/sqlite_test_db.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace chatterbox {
namespace {

constexpr std::int64_t store_now = 1'000'000;
constexpr std::int64_t later = 2'000'000;

class session_harness {
 public:
  virtual ~session_harness() = default;
  virtual session_store& store() = 0;
  virtual void exec(std::string_view sql) = 0;
  virtual std::optional<std::string> value(std::string_view sql) = 0;
};

class sqlite_sessions final : public session_harness {
 public:
  explicit sqlite_sessions(boost::asio::io_context& io)
      : file_("chatterbox-sessions"),
        users_(file_.handle()),
        tokens_(file_.handle()),
        registration_(file_.handle()),
        writes_(io, file_.handle()),
        store_(users_, tokens_, &registration_, writes_) {}
  session_store& store() override { return store_; }
  void exec(std::string_view sql) override { file_.exec(sql); }
  std::optional<std::string> value(std::string_view sql) override { return file_.value(sql); }

 private:
  test_support::sqlite_test_db file_;
  user_repository users_;
  token_repository tokens_;
  registration_repository registration_;
  write_batcher writes_;
  sqlite_session_store store_;
};

class pg_sessions final : public session_harness {
 public:
  pg_sessions(boost::asio::io_context& io, const std::string& url,
              std::function<pg_result(std::string_view)> run)
      : writes_(io, url), store_(writes_), rows_(std::move(run)) {
    writes_.start();
  }
  session_store& store() override { return store_; }
  void exec(std::string_view sql) override { rows_.exec(sql); }
  std::optional<std::string> value(std::string_view sql) override { return rows_.value(sql); }

 private:
  pg_batcher writes_;
  pg_session_store store_;
  test_support::pg_rows rows_;
};

class session_store_test : public test_support::pg_store_fixture,
                           public ::testing::WithParamInterface<const char*> {
 protected:
  void SetUp() override {
    if (std::string_view(GetParam()) == "postgres") {
      pg_store_fixture::SetUp();
      if (IsSkipped() || HasFatalFailure()) return;
      const auto outcome = migrate(*db_);
      ASSERT_TRUE(outcome.version) << outcome.error;
      harness_ = std::make_unique<pg_sessions>(
          io_, url_, [this](std::string_view sql) { return run(*db_, sql); });
    } else {
      harness_ = std::make_unique<sqlite_sessions>(io_);
    }
    // A second open room and a private one, with a message before anyone registers.
    harness_->exec(
        "INSERT INTO rooms (kind, name, created_at) VALUES ('open', 'random', 0), "
        "('private', 'ops', 0)");
  }

  template <class Result, class Start>
  std::pair<bool, Result> wait_for(Start start) {
    std::optional<std::pair<bool, Result>> got;
    start([&](bool ok, Result& result) { got.emplace(ok, result); });
    EXPECT_TRUE(run_until([&] { return got.has_value(); }));
    return got.value_or(std::pair<bool, Result>{});
  }

  static new_account account(const std::string& name, const std::string& digest,
                             std::optional<std::string> invite = std::nullopt) {
    return new_account{name, "hash of " + name, std::move(invite),
                       new_token{digest, 0, store_now, later, {"agent", "192.0.2.1"}}};
  }
  account_creation create(new_account a) {
    auto [ok, result] = wait_for<account_creation>(
        [&](auto then) { harness_->store().create_account(std::move(a), std::move(then)); });
    EXPECT_TRUE(ok);
    return result;
  }
  std::optional<token_owner> owner(const std::string& digest, std::int64_t at = store_now) {
    auto [ok, result] = wait_for<std::optional<token_owner>>(
        [&](auto then) { harness_->store().find_token(digest, at, std::move(then)); });
    EXPECT_TRUE(ok);
    return result;
  }
  std::optional<registration_refusal> refused(std::optional<std::string> invite) {
    auto [ok, result] = wait_for<std::optional<registration_refusal>>([&](auto then) {
      harness_->store().registration_refused(std::move(invite), store_now, std::move(then));
    });
    EXPECT_TRUE(ok);
    return result;
  }
  std::string value(std::string_view sql) { return harness_->value(sql).value_or("none"); }

  std::unique_ptr<session_harness> harness_;
};

TEST_P(session_store_test, TheFirstAccountAdministersAndEveryAccountJoinsTheOpenRooms) {
  const auto alice = create(account("alice", "d-alice"));
  ASSERT_TRUE(alice.user);
  EXPECT_EQ(alice.user->username, "alice");
  EXPECT_TRUE(alice.user->admin);
  EXPECT_FALSE(alice.refused);

  const auto bob = create(account("bob", "d-bob"));
  ASSERT_TRUE(bob.user);
  EXPECT_FALSE(bob.user->admin);
  EXPECT_NE(bob.user->id, alice.user->id);
  // On PostgreSQL a new account is a change with a seq (every node's chat learns of it).
  if (std::string_view(GetParam()) == "postgres") {
    EXPECT_GT(alice.seq, 0);
    EXPECT_GT(bob.seq, alice.seq);
  } else {
    EXPECT_EQ(bob.seq, 0);
  }
  // general and random, not ops.
  EXPECT_EQ(
      value("SELECT count(*) FROM room_members WHERE user_id = " + std::to_string(bob.user->id)),
      "2");

  // A name differing only in case is taken: neither created nor refused.
  const auto again = create(account("ALICE", "d-other"));
  EXPECT_FALSE(again.user);
  EXPECT_FALSE(again.refused);
  EXPECT_FALSE(owner("d-other"));

  const auto found = owner("d-bob");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->user_id, bob.user->id);
  EXPECT_EQ(found->username, "bob");
  EXPECT_EQ(found->expires_at_ms, later);
  EXPECT_FALSE(found->admin);
}

TEST_P(session_store_test, UsersAreFoundWhateverTheCase) {
  create(account("Alice", "d1"));
  auto [ok, user] = wait_for<std::optional<user_record>>(
      [&](auto then) { harness_->store().find_user("aLICE", std::move(then)); });
  ASSERT_TRUE(ok);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->username, "Alice");
  EXPECT_EQ(user->password_hash, "hash of Alice");
  EXPECT_FALSE(user->deactivated);

  auto [ok2, nobody] = wait_for<std::optional<user_record>>(
      [&](auto then) { harness_->store().find_user("bob", std::move(then)); });
  EXPECT_TRUE(ok2);
  EXPECT_FALSE(nobody);
}

TEST_P(session_store_test, ClosedRegistrationRefusesNewAccounts) {
  harness_->exec("INSERT INTO settings (key, value) VALUES ('registration', 'closed')");
  EXPECT_EQ(refused(std::nullopt), registration_refusal::closed);
  const auto refusal = create(account("alice", "d1"));
  EXPECT_FALSE(refusal.user);
  EXPECT_EQ(refusal.refused, registration_refusal::closed);
  EXPECT_EQ(value("SELECT count(*) FROM users"), "0");
  EXPECT_EQ(value("SELECT count(*) FROM tokens"), "0");
}

TEST_P(session_store_test, AnInvitationIsNeededAndUsedUpByTheAccountItCreates) {
  harness_->exec("INSERT INTO settings (key, value) VALUES ('registration', 'invitation')");
  harness_->exec(
      "INSERT INTO invitations (code, created_at, expires_at, max_uses) VALUES "
      "('once', 0, 1500000, 1), ('old', 0, 1000, NULL)");
  EXPECT_EQ(refused(std::nullopt), registration_refusal::invitation_required);
  EXPECT_EQ(refused("nope"), registration_refusal::invitation_invalid);
  EXPECT_EQ(refused("old"), registration_refusal::invitation_invalid);
  EXPECT_EQ(refused("once"), std::nullopt);

  EXPECT_EQ(create(account("alice", "d1")).refused, registration_refusal::invitation_required);
  EXPECT_EQ(create(account("alice", "d1", "old")).refused,
            registration_refusal::invitation_invalid);
  EXPECT_TRUE(create(account("alice", "d1", "once")).user);
  EXPECT_EQ(value("SELECT uses FROM invitations WHERE code = 'once'"), "1");
  EXPECT_EQ(create(account("bob", "d2", "once")).refused, registration_refusal::invitation_invalid);
  EXPECT_EQ(refused("once"), registration_refusal::invitation_invalid);
}

TEST_P(session_store_test, TheRegistrationSettingAndWhatALinkIsWorth) {
  const auto state = [&](std::optional<std::string> invite) {
    auto [ok, result] = wait_for<registration_state>([&](auto then) {
      harness_->store().registration(std::move(invite), store_now, std::move(then));
    });
    EXPECT_TRUE(ok);
    return result;
  };
  EXPECT_EQ(state(std::nullopt).mode, registration_mode::open);
  EXPECT_FALSE(state(std::nullopt).invitation);
  harness_->exec("INSERT INTO settings (key, value) VALUES ('registration', 'invitation')");
  harness_->exec(
      "INSERT INTO invitations (code, created_at, expires_at, max_uses, uses) VALUES "
      "('fresh', 0, 1500000, NULL, 0), ('full', 0, 1500000, 2, 2), "
      "('late', 0, 1000, NULL, 0)");
  harness_->exec(
      "INSERT INTO invitations (code, created_at, expires_at, revoked_at) VALUES "
      "('gone', 0, 1500000, 5)");
  EXPECT_EQ(state(std::nullopt).mode, registration_mode::invitation);
  EXPECT_EQ(state("fresh").invitation, invitation_status::valid);
  EXPECT_EQ(state("full").invitation, invitation_status::used_up);
  EXPECT_EQ(state("late").invitation, invitation_status::expired);
  EXPECT_EQ(state("gone").invitation, invitation_status::revoked);
  EXPECT_EQ(state("nope").invitation, invitation_status::unknown);
}

TEST_P(session_store_test, TokensExpireAreTouchedAndRevoked) {
  const auto alice = create(account("alice", "d1"));
  ASSERT_TRUE(alice.user);
  auto [ok, stored] = wait_for<bool>([&](auto then) {
    harness_->store().store_token(
        new_token{"d2", alice.user->id, store_now, store_now + 10, {"other", "198.51.100.7"}}, std::move(then));
  });
  EXPECT_TRUE(ok);
  EXPECT_TRUE(stored);
  EXPECT_TRUE(owner("d2", store_now + 9));
  EXPECT_FALSE(owner("d2", store_now + 10));

  harness_->store().touch_token("d1", store_now + 5, "203.0.113.9");
  // A write answered after the touch: both stores commit in the order asked.
  wait_for<bool>([&](auto then) { harness_->store().revoke_token("none", std::move(then)); });
  EXPECT_EQ(value("SELECT last_seen_at FROM tokens WHERE token_hash = 'd1'"), "1000005");
  EXPECT_EQ(value("SELECT address FROM tokens WHERE token_hash = 'd1'"), "203.0.113.9");
  // The same address again within a minute is not written; a minute later it is.
  harness_->store().touch_token("d1", store_now + 60004, "203.0.113.9");
  wait_for<bool>([&](auto then) { harness_->store().revoke_token("none", std::move(then)); });
  EXPECT_EQ(value("SELECT last_seen_at FROM tokens WHERE token_hash = 'd1'"), "1000005");
  harness_->store().touch_token("d1", store_now + 60006, "203.0.113.9");
  wait_for<bool>([&](auto then) { harness_->store().revoke_token("none", std::move(then)); });
  EXPECT_EQ(value("SELECT last_seen_at FROM tokens WHERE token_hash = 'd1'"), "1060006");
  // A token from before "last seen" was kept (no value yet) is written at once.
  harness_->exec("UPDATE tokens SET last_seen_at = NULL WHERE token_hash = 'd1'");
  harness_->store().touch_token("d1", store_now + 60007, "203.0.113.9");
  wait_for<bool>([&](auto then) { harness_->store().revoke_token("none", std::move(then)); });
  EXPECT_EQ(value("SELECT last_seen_at FROM tokens WHERE token_hash = 'd1'"), "1060007");

  auto [ok1, removed] =
      wait_for<bool>([&](auto then) { harness_->store().revoke_token("d1", std::move(then)); });
  EXPECT_TRUE(ok1);
  EXPECT_TRUE(removed);
  EXPECT_FALSE(owner("d1"));
  auto [ok2, again] =
      wait_for<bool>([&](auto then) { harness_->store().revoke_token("d1", std::move(then)); });
  EXPECT_TRUE(ok2);
  EXPECT_FALSE(again);

  // A deactivated account's remaining tokens are no longer anyone's.
  harness_->exec("UPDATE users SET deactivated_at = 5");
  EXPECT_FALSE(owner("d2", store_now + 1));
}

TEST_P(session_store_test, SessionsAreListedLastUsedFirstAndANewPasswordEndsTheOthers) {
  const auto alice = create(account("alice", "d-alice"));
  ASSERT_TRUE(alice.user);
  const auto id = alice.user->id;
  const auto store = [&](const std::string& digest, std::int64_t expires, const char* agent) {
    wait_for<bool>([&](auto then) {
      harness_->store().store_token(
          new_token{digest, id, store_now + 1, expires, {agent, "198.51.100.7"}}, std::move(then));
    });
  };
  store("d-phone", later, "phone");
  store("d-old", store_now + 10, "expired");
  harness_->store().touch_token("d-phone", store_now + 70000, "198.51.100.8");
  // A write answered after the touch: both stores commit in the order asked.
  wait_for<bool>([&](auto then) { harness_->store().revoke_token("none", std::move(then)); });

  auto [ok, sessions] = wait_for<std::vector<session_summary>>([&](auto then) {
    harness_->store().sessions_of(id, store_now + 100000, std::move(then));
  });
  ASSERT_TRUE(ok);
  ASSERT_EQ(sessions.size(), 2u) << "the expired one is not listed";
  EXPECT_EQ(sessions[0].digest, "d-phone");
  EXPECT_EQ(sessions[0].user_agent, "phone");
  EXPECT_EQ(sessions[0].address, "198.51.100.8");
  EXPECT_EQ(sessions[0].created_at, store_now + 1);
  EXPECT_EQ(sessions[0].last_seen_at, store_now + 70000);
  EXPECT_EQ(sessions[1].digest, "d-alice");
  EXPECT_EQ(sessions[1].last_seen_at, store_now);

  auto [changed, stored] = wait_for<bool>([&](auto then) {
    harness_->store().set_password(id, "new hash", "d-phone", std::move(then));
  });
  EXPECT_TRUE(changed);
  EXPECT_TRUE(stored);
  auto [found_ok, found] = wait_for<std::optional<user_record>>(
      [&](auto then) { harness_->store().find_user("alice", std::move(then)); });
  ASSERT_TRUE(found);
  EXPECT_EQ(found->password_hash, "new hash");
  EXPECT_TRUE(owner("d-phone")) << "the session that changed it stays";
  EXPECT_FALSE(owner("d-alice"));
}

INSTANTIATE_TEST_SUITE_P(Stores, session_store_test, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace chatterbox
