// /api/admin/… against the real server (docs/protocol.md, "Administration"): only
// administrators get through; a deactivation ends the user's connections and logins at once and
// keeps their messages; every change is in the audit log.
#include "support/run_command.hpp"
#include "support/server_fixture.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace chatterbox::test_support {
namespace {

class admin_api_test : public server_test {
 protected:
  http_result get(const std::string& token, const std::string& path) {
    return http_request(port(), http::verb::get, path, "", bearer(token));
  }
  http_result post(const std::string& token, const std::string& path) {
    return http_request(port(), http::verb::post, path, "{}", bearer(token));
  }
  static std::map<std::string, std::string> bearer(const std::string& token) {
    if (token.empty()) return {};
    return {{"Authorization", "Bearer " + token}};
  }
};

TEST_F(admin_api_test, only_administrators_get_through_whatever_the_path) {
  const auto alice = token_for(port(), "alice");  // the first account
  const auto bob = token_for(port(), "bob");
  EXPECT_EQ(get(alice, "/api/me").body_json()["admin"], true);
  EXPECT_EQ(get(bob, "/api/me").body_json()["admin"], false);
  // The login answer says so too, so the client needs no second request.
  EXPECT_EQ(login(port(), "alice").body_json()["admin"], true);
  EXPECT_EQ(login(port(), "bob").body_json()["admin"], false);

  const std::vector<std::pair<http::verb, std::string>> endpoints = {
      {http::verb::get, "/api/admin/users"},
      {http::verb::get, "/api/admin/audit"},
      {http::verb::post, "/api/admin/users/alice/deactivate"},
      {http::verb::post, "/api/admin/users/alice/reactivate"},
      {http::verb::post, "/api/admin/users/bob/promote"},
      {http::verb::post, "/api/admin/users/alice/demote"},
      {http::verb::get, "/api/admin/no-such-thing"},
  };
  for (const auto& [verb, path] : endpoints) {
    const std::string body = verb == http::verb::post ? "{}" : "";
    const auto as_member = http_request(port(), verb, path, body, bearer(bob));
    EXPECT_EQ(as_member.status, 403u) << path;
    EXPECT_EQ(as_member.body_json()["error"]["code"], "forbidden") << path;
    EXPECT_EQ(http_request(port(), verb, path, body).status, 401u) << path;
  }
  // Nothing changed: bob is still a member, alice still active.
  const auto users = get(alice, "/api/admin/users").body_json()["users"];
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0]["username"], "alice");
  EXPECT_EQ(users[0]["admin"], true);
  EXPECT_EQ(users[0]["deactivated"], false);
  EXPECT_EQ(users[1]["admin"], false);
  EXPECT_TRUE(get(alice, "/api/admin/audit").body_json()["entries"].empty());
  EXPECT_EQ(get(alice, "/api/admin/nothing").status, 404u);
  EXPECT_EQ(post(alice, "/api/admin/users/nobody/promote").status, 404u);
  EXPECT_EQ(get(alice, "/api/admin/users/bob/promote").status, 405u);
}

TEST_F(admin_api_test, a_deactivated_user_is_cut_off_at_once_and_their_messages_stay) {
  const auto alice = token_for(port(), "alice");
  const auto bob = token_for(port(), "bob");
  auto bob_tab = ws_client::connect(port(), bob);
  auto bob_other_tab = ws_client::connect(port(), bob);
  bob_tab->say(1, "b-1", "before I go");

  const auto deactivated = post(alice, "/api/admin/users/BOB/deactivate");
  ASSERT_EQ(deactivated.status, 200u) << deactivated.body;
  EXPECT_EQ(deactivated.body_json()["user"]["deactivated"], true);
  EXPECT_EQ(deactivated.body_json()["user"]["sessions"], 0);
  EXPECT_EQ(bob_tab->wait_closed(), 4001);
  EXPECT_EQ(bob_other_tab->wait_closed(), 4001);

  const auto refused = login(port(), "bob");
  EXPECT_EQ(refused.status, 403u);
  EXPECT_EQ(refused.body_json()["error"]["code"], "deactivated");
  EXPECT_EQ(login(port(), "bob", "wrong-password").status, 401u);
  ws_client::options old;
  old.token = bob;
  EXPECT_EQ(ws_client(port(), old).upgrade_status(), 401u);
  // The name stays taken, and bob's words stay where he wrote them.
  auto reader = ws_client::connect(port(), alice);
  const auto history = reader->history(1)["messages"];
  ASSERT_FALSE(history.empty());
  EXPECT_EQ(history.back()["text"], "before I go");

  EXPECT_EQ(post(alice, "/api/admin/users/bob/reactivate").status, 200u);
  EXPECT_EQ(login(port(), "bob").status, 200u);
}

TEST_F(admin_api_test, administrators_change_roles_but_not_their_own_and_every_change_is_logged) {
  const auto alice = token_for(port(), "alice");
  token_for(port(), "bob");
  auto refused = post(alice, "/api/admin/users/alice/demote");
  EXPECT_EQ(refused.status, 409u);
  EXPECT_EQ(refused.body_json()["error"]["code"], "self");
  EXPECT_EQ(post(alice, "/api/admin/users/alice/deactivate").body_json()["error"]["code"], "self");

  EXPECT_EQ(post(alice, "/api/admin/users/bob/promote").body_json()["user"]["admin"], true);
  // Already so: nothing changes, nothing is logged.
  EXPECT_EQ(post(alice, "/api/admin/users/bob/promote").status, 200u);
  const auto bob = token_for(port(), "bob");
  EXPECT_EQ(post(bob, "/api/admin/users/alice/demote").body_json()["user"]["admin"], false);
  EXPECT_EQ(get(alice, "/api/admin/users").status, 403u);  // no longer an administrator

  // From the command line too, logged without an administrator (`chatterbox admin` works on
  // the SQLite file; on PostgreSQL not yet: docs/scale-out.md).
  const std::size_t from_cli = testing_on_postgres() ? 0 : 1;
  if (from_cli == 1) {
    std::string command = CHATTERBOX_BINARY;
    command.append(" admin promote alice --db ").append(file("chat.db"));
    ASSERT_EQ(run_command(command).status, 0);
  }
  const auto entries = get(bob, "/api/admin/audit").body_json()["entries"];
  ASSERT_EQ(entries.size(), 2 + from_cli) << entries.dump();
  if (from_cli == 1) {
    EXPECT_EQ(entries[0]["action"], "promote");
    EXPECT_EQ(entries[0]["admin"], nullptr);
    EXPECT_EQ(entries[0]["user"], "alice");
  }
  EXPECT_EQ(entries[from_cli]["action"], "demote");
  EXPECT_EQ(entries[from_cli]["admin"], "bob");
  EXPECT_EQ(entries[from_cli + 1]["action"], "promote");
  EXPECT_EQ(entries[from_cli + 1]["admin"], "alice");
  EXPECT_EQ(entries[from_cli + 1]["user"], "bob");
  EXPECT_GT(entries[from_cli + 1]["at"].get<std::int64_t>(), 0);
}

}  // namespace
}  // namespace chatterbox::test_support
