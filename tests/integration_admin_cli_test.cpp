// `chatterbox admin` on the database of a running server (docs/operations.md,
// "Administration"): the first account is the administrator, roles change but never leave no
// administrator, and a password reset ends the user's sessions.
#include "support/run_command.hpp"
#include "support/server_fixture.hpp"

#include <gtest/gtest.h>

#include <string>

namespace chatterbox::test_support {
namespace {

class admin_cli_test : public server_test {
 protected:
  void SetUp() override {
    CHATTERBOX_SQLITE_ONLY("`chatterbox admin` works on the database file (on PostgreSQL, the admin API)");
    server_test::SetUp();
  }

  command_result admin(const std::string& arguments) {
    // Appended piece by piece: GCC 12 misreads a long chain of + on strings (-Warray-bounds).
    std::string command = CHATTERBOX_BINARY;
    command.append(" admin ").append(arguments).append(" --db ").append(file("chat.db"));
    command.append(" --argon2-ops 1 --argon2-mem-kib 8");
    return run_command(command);
  }
};

TEST_F(admin_cli_test, the_first_account_is_the_administrator_and_there_is_always_one) {
  token_for(port(), "alice");
  token_for(port(), "bob");
  auto listed = admin("list-users");
  ASSERT_EQ(listed.status, 0) << listed.output;
  EXPECT_NE(listed.output.find("alice     admin"), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("bob       member"), std::string::npos) << listed.output;

  auto refused = admin("demote alice");
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.output.find("last administrator"), std::string::npos) << refused.output;
  EXPECT_EQ(admin("promote BOB").status, 0);  // names ignore case, as logins do
  EXPECT_EQ(admin("demote alice").status, 0);
  listed = admin("list-users");
  EXPECT_NE(listed.output.find("alice     member"), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("bob       admin"), std::string::npos) << listed.output;
  EXPECT_EQ(admin("promote nobody").status, 1);
  EXPECT_EQ(admin("promote").status, 2);
  EXPECT_EQ(admin("frobnicate").status, 2);
}

TEST_F(admin_cli_test, a_password_reset_ends_every_session_and_the_new_password_logs_in) {
  const auto old_token = token_for(port(), "carol");
  ASSERT_EQ(login(port(), "carol").status, 200u);
  const auto reset = admin("reset-password carol");
  ASSERT_EQ(reset.status, 0) << reset.output;
  const auto at = reset.output.find("new password for carol: ");
  ASSERT_NE(at, std::string::npos) << reset.output;
  const auto password = reset.output.substr(at + 24, 20);

  EXPECT_EQ(login(port(), "carol").status, 401u);  // the old password
  EXPECT_EQ(login(port(), "carol", password).status, 200u);
  // The old session is over: its token no longer opens a connection.
  ws_client::options old;
  old.token = old_token;
  ws_client refused(port(), old);
  EXPECT_FALSE(refused.connected());
  EXPECT_EQ(refused.upgrade_status(), 401u);
}

TEST_F(admin_cli_test, no_database_no_new_file) {
  std::string command = CHATTERBOX_BINARY;
  command.append(" admin list-users --db ").append(file("missing.db"));
  const auto result = run_command(command);
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.output.find("no database"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(file("missing.db")));
}

}  // namespace
}  // namespace chatterbox::test_support
