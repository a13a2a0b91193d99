// Registration, invitations, password changes and resets, sessions and moderation against the
// real server (docs/protocol.md, "Registration", "Your account", "Administration"): each check
// the protocol promises, made by the user it is meant to stop.
#include "support/server_fixture.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace chatterbox::test_support {
namespace {

class accounts_test : public server_test {
 protected:
  static std::map<std::string, std::string> bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
  }
  http_result get(const std::string& token, const std::string& path) {
    return http_request(port(), http::verb::get, path, "", bearer(token));
  }
  http_result post(const std::string& token, const std::string& path, const json& body = json::object()) {
    return http_request(port(), http::verb::post, path, body.dump(), bearer(token));
  }
  http_result post_anonymous(const std::string& path, const json& body) {
    return http_request(port(), http::verb::post, path, body.dump());
  }
  http_result sign_up(const std::string& username, const std::optional<std::string>& invite,
                      const std::string& password = "password123") {
    json body{{"username", username}, {"password", password}};
    if (invite) body["invite"] = *invite;
    return post_anonymous("/api/login", body);
  }
  // Logs in with a browser's User-Agent, as the session list will show it.
  std::string token_from(const std::string& username, const std::string& agent,
                         const std::string& password = "password123") {
    const auto answer = http_request(
        port(), http::verb::post, "/api/login",
        json{{"username", username}, {"password", password}}.dump(), {{"User-Agent", agent}});
    EXPECT_LT(answer.status, 300u) << answer.body;
    return answer.body_json().value("token", "");
  }
  static std::string error_code(const http_result& r) {
    const auto body = r.body_json();
    return body.is_object() && body.contains("error") ? body["error"].value("code", "") : "";
  }
};

TEST_F(accounts_test, registration_modes_decide_who_may_create_an_account) {
  const auto alice = token_for(port(), "alice");
  token_for(port(), "bob");
  EXPECT_EQ(http_request(port(), http::verb::get, "/api/registration").body_json()["mode"], "open");

  ASSERT_EQ(post(alice, "/api/admin/registration", {{"mode", "closed"}}).status, 200u);
  EXPECT_EQ(http_request(port(), http::verb::get, "/api/registration").body_json()["mode"], "closed");
  const auto closed = sign_up("carol", std::nullopt);
  EXPECT_EQ(closed.status, 403u);
  EXPECT_EQ(error_code(closed), "registration_closed");
  EXPECT_EQ(login(port(), "bob").status, 200u);  // existing accounts log in as before

  ASSERT_EQ(post(alice, "/api/admin/registration", {{"mode", "invitation"}}).status, 200u);
  EXPECT_EQ(error_code(sign_up("carol", std::nullopt)), "invitation_required");
  EXPECT_EQ(error_code(sign_up("carol", "not-a-real-code")), "invitation_invalid");
  EXPECT_EQ(post(alice, "/api/admin/registration", {{"mode", "whatever"}}).status, 400u);

  const auto entries = get(alice, "/api/admin/audit").body_json()["entries"];
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0]["action"], "registration");
  EXPECT_EQ(entries[0]["detail"], "invitation");
  EXPECT_EQ(entries[0]["user"], nullptr);
}

TEST_F(accounts_test, an_invitation_used_past_its_count_is_refused) {
  const auto alice = token_for(port(), "alice");
  ASSERT_EQ(post(alice, "/api/admin/registration", {{"mode", "invitation"}}).status, 200u);
  const auto created = post(alice, "/api/admin/invitations", {{"expires_in_hours", 24}, {"max_uses", 2}});
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string code = created.body_json()["invitation"]["code"];
  EXPECT_EQ(created.body_json()["invitation"]["uses"], 0);
  EXPECT_EQ(http_request(port(), http::verb::get, "/api/registration?invite=" + code)
                .body_json()["invitation"], "valid");

  EXPECT_EQ(sign_up("carol", code).status, 201u);
  // Logging into an existing account does not use the invitation up.
  EXPECT_EQ(sign_up("carol", code).status, 200u);
  EXPECT_EQ(sign_up("dave", code).status, 201u);
  const auto third = sign_up("erin", code);
  EXPECT_EQ(third.status, 403u);
  EXPECT_EQ(error_code(third), "invitation_invalid");
  EXPECT_EQ(http_request(port(), http::verb::get, "/api/registration?invite=" + code)
                .body_json()["invitation"], "used_up");

  // A revoked invitation lets nobody in either.
  const auto other = post(alice, "/api/admin/invitations", json::object()).body_json()["invitation"];
  EXPECT_EQ(other["max_uses"], nullptr);
  const std::string other_code = other["code"];
  EXPECT_EQ(post(alice, "/api/admin/invitations/" + other_code + "/revoke").body_json()["invitation"]["revoked"], true);
  EXPECT_EQ(error_code(sign_up("erin", other_code)), "invitation_invalid");
  EXPECT_EQ(post(alice, "/api/admin/invitations/nope/revoke").status, 404u);
  EXPECT_EQ(post(alice, "/api/admin/invitations", {{"max_uses", 0}}).status, 400u);
  EXPECT_EQ(post(alice, "/api/admin/invitations", {{"expires_in_hours", 9000}}).status, 400u);

  const auto list = get(alice, "/api/admin/invitations").body_json()["invitations"];
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1]["uses"], 2);
  EXPECT_EQ(list[1]["created_by"], "alice");
}

TEST_F(accounts_test, members_get_403_from_every_admin_endpoint) {
  const auto alice = token_for(port(), "alice");
  const auto bob = token_for(port(), "bob");
  const std::vector<std::pair<http::verb, std::string>> endpoints = {
      {http::verb::post, "/api/admin/registration"},
      {http::verb::get, "/api/admin/invitations"},
      {http::verb::post, "/api/admin/invitations"},
      {http::verb::post, "/api/admin/invitations/x/revoke"},
      {http::verb::post, "/api/admin/users/alice/reset-link"},
      {http::verb::get, "/api/admin/rooms"},
      {http::verb::post, "/api/admin/rooms/1/archive"},
      {http::verb::post, "/api/admin/rooms/1/unarchive"},
      {http::verb::post, "/api/admin/messages/1/delete"},
  };
  for (const auto& [verb, path] : endpoints) {
    const std::string body = verb == http::verb::post ? R"({"mode":"closed"})" : "";
    const auto as_member = http_request(port(), verb, path, body, bearer(bob));
    EXPECT_EQ(as_member.status, 403u) << path;
    EXPECT_EQ(http_request(port(), verb, path, body).status, 401u) << path;
  }
  EXPECT_EQ(http_request(port(), http::verb::get, "/api/registration").body_json()["mode"], "open");
  EXPECT_TRUE(get(alice, "/api/admin/invitations").body_json()["invitations"].empty());
  EXPECT_TRUE(get(alice, "/api/admin/audit").body_json()["entries"].empty());
}

TEST_F(accounts_test, changing_the_password_ends_the_other_sessions_only) {
  token_for(port(), "alice");
  const auto laptop = token_from("bob", "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0");
  const auto phone = token_from("bob", "Mozilla/5.0 (iPhone) Safari/604.1");
  auto laptop_tab = ws_client::connect(port(), laptop);
  auto phone_tab = ws_client::connect(port(), phone);

  const auto wrong = post(laptop, "/api/me/password",
                          {{"current_password", "not-my-password"}, {"new_password", "brand-new-pw"}});
  EXPECT_EQ(wrong.status, 401u);
  EXPECT_EQ(error_code(wrong), "invalid_credentials");
  EXPECT_EQ(post(laptop, "/api/me/password",
                 {{"current_password", "password123"}, {"new_password", "short"}}).status, 400u);

  const auto changed = post(laptop, "/api/me/password",
                            {{"current_password", "password123"}, {"new_password", "brand-new-pw"}});
  ASSERT_EQ(changed.status, 200u) << changed.body;
  EXPECT_EQ(phone_tab->wait_closed(), 4001);
  EXPECT_EQ(get(phone, "/api/me").status, 401u);
  EXPECT_EQ(get(laptop, "/api/me").status, 200u);
  EXPECT_TRUE(laptop_tab->say(1, "still-here", "still connected")["type"] == "ack");
  EXPECT_EQ(login(port(), "bob").status, 401u);
  EXPECT_EQ(login(port(), "bob", "brand-new-pw").status, 200u);
}

TEST_F(accounts_test, a_user_sees_their_sessions_and_ends_one) {
  const auto alice = token_for(port(), "alice");
  const auto laptop = token_from("bob", "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0");
  const auto phone = token_from("bob", "Mozilla/5.0 (iPhone) Safari/604.1");
  auto phone_tab = ws_client::connect(port(), phone);

  const auto list = get(laptop, "/api/me/sessions").body_json()["sessions"];
  ASSERT_EQ(list.size(), 2u) << list.dump();
  json phone_session, laptop_session;
  for (const auto& s : list) (s["current"] == true ? laptop_session : phone_session) = s;
  EXPECT_EQ(laptop_session["browser"], "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0");
  EXPECT_EQ(phone_session["browser"], "Mozilla/5.0 (iPhone) Safari/604.1");
  EXPECT_EQ(phone_session["connected"], 1);
  EXPECT_EQ(phone_session["address"], "127.0.0.1");
  EXPECT_EQ(phone_session["id"].get<std::string>().size(), 16u);
  EXPECT_GE(phone_session["last_seen_at"].get<std::int64_t>(), phone_session["created_at"].get<std::int64_t>());

  // Another user cannot end it, nor see it.
  const std::string id = phone_session["id"];
  EXPECT_EQ(post(alice, "/api/me/sessions/" + id + "/end").status, 404u);
  EXPECT_EQ(get(alice, "/api/me/sessions").body_json()["sessions"].size(), 1u);
  EXPECT_EQ(get(phone, "/api/me").status, 200u);

  ASSERT_EQ(post(laptop, "/api/me/sessions/" + id + "/end").status, 200u);
  EXPECT_EQ(phone_tab->wait_closed(), 4001);
  EXPECT_EQ(get(phone, "/api/me").status, 401u);
  EXPECT_EQ(get(laptop, "/api/me/sessions").body_json()["sessions"].size(), 1u);
  EXPECT_EQ(http_request(port(), http::verb::get, "/api/me/sessions").status, 401u);
}

TEST_F(accounts_test, a_reset_link_sets_a_new_password_once) {
  const auto alice = token_for(port(), "alice");
  const auto bob = token_for(port(), "bob");
  auto bob_tab = ws_client::connect(port(), bob);
  EXPECT_EQ(post(bob, "/api/admin/users/alice/reset-link").status, 403u);
  EXPECT_EQ(post(alice, "/api/admin/users/nobody/reset-link").status, 404u);

  const auto link = post(alice, "/api/admin/users/bob/reset-link");
  ASSERT_EQ(link.status, 201u) << link.body;
  const std::string code = link.body_json()["code"];
  const auto check = post_anonymous("/api/password-reset/check", {{"code", code}});
  ASSERT_EQ(check.status, 200u);
  EXPECT_EQ(check.body_json()["username"], "bob");
  EXPECT_EQ(post_anonymous("/api/password-reset", {{"code", code}, {"password", "x"}}).status, 400u);

  const auto reset = post_anonymous("/api/password-reset", {{"code", code}, {"password", "a-new-password"}});
  ASSERT_EQ(reset.status, 200u) << reset.body;
  EXPECT_EQ(reset.body_json()["username"], "bob");
  EXPECT_NE(reset.header("set-cookie").find("HttpOnly"), std::string::npos);
  EXPECT_EQ(get(reset.body_json()["token"], "/api/me").status, 200u);
  EXPECT_EQ(bob_tab->wait_closed(), 4001);
  EXPECT_EQ(get(bob, "/api/me").status, 401u);
  EXPECT_EQ(login(port(), "bob").status, 401u);
  EXPECT_EQ(login(port(), "bob", "a-new-password").status, 200u);

  // Used up.
  const auto again = post_anonymous("/api/password-reset", {{"code", code}, {"password", "another-one"}});
  EXPECT_EQ(again.status, 404u);
  EXPECT_EQ(error_code(again), "invalid_code");
  EXPECT_EQ(post_anonymous("/api/password-reset/check", {{"code", code}}).status, 404u);
  EXPECT_EQ(get(alice, "/api/admin/audit").body_json()["entries"][0]["action"], "reset_link");
}

TEST_F(accounts_test, administrators_delete_any_message_and_archive_any_room) {
  const auto alice = token_for(port(), "alice");
  const auto bob = token_for(port(), "bob");
  token_for(port(), "carol");
  auto admin_tab = ws_client::connect(port(), alice);
  auto bob_tab = ws_client::connect(port(), bob);
  const auto mine = bob_tab->say(1, "b-1", "something to moderate")["id"].get<std::int64_t>();
  const auto theirs = admin_tab->say(1, "a-1", "the admin's own words")["id"].get<std::int64_t>();

  // A member may not delete another's message; an administrator may, from the chat.
  bob_tab->send({{"type", "delete"}, {"id", theirs}});
  EXPECT_EQ(bob_tab->expect("error")["code"], "forbidden");
  admin_tab->send({{"type", "delete"}, {"id", mine}});
  const auto deleted = bob_tab->expect("deleted");
  EXPECT_EQ(deleted["id"], mine);

  // A private room alice is not in: archived through the API, its members told.
  const auto room = bob_tab->create_room("private", "secret", {"carol"});
  const auto room_id = room["id"].get<std::int64_t>();
  const auto second = bob_tab->say(room_id, "b-2", "in private")["id"].get<std::int64_t>();
  const auto rooms = get(alice, "/api/admin/rooms").body_json()["rooms"];
  ASSERT_EQ(rooms.size(), 2u) << rooms.dump();
  EXPECT_EQ(rooms[1]["name"], "secret");
  EXPECT_EQ(rooms[1]["kind"], "private");
  EXPECT_EQ(rooms[1]["members"], 2);
  EXPECT_EQ(rooms[1]["creator"], "bob");

  const auto archived = post(alice, "/api/admin/rooms/" + std::to_string(room_id) + "/archive");
  ASSERT_EQ(archived.status, 200u) << archived.body;
  const auto announced = bob_tab->expect_match(
      [&](const json& e) { return e["type"] == "room" && e["room"]["id"] == room_id; }, "room");
  EXPECT_EQ(announced["room"]["archived"], true);

  // Any message, even in an archived room alice is not in; once.
  EXPECT_EQ(post(alice, "/api/admin/messages/" + std::to_string(second) + "/delete").status, 200u);
  EXPECT_EQ(bob_tab->expect("deleted")["id"], second);
  const auto twice = post(alice, "/api/admin/messages/" + std::to_string(second) + "/delete");
  EXPECT_EQ(twice.status, 409u);
  EXPECT_EQ(error_code(twice), "already_deleted");
  EXPECT_EQ(post(alice, "/api/admin/messages/999999/delete").status, 404u);
  EXPECT_EQ(post(alice, "/api/admin/rooms/999999/archive").status, 404u);

  const auto entries = get(alice, "/api/admin/audit").body_json()["entries"];
  ASSERT_EQ(entries.size(), 3u) << entries.dump();
  EXPECT_EQ(entries[0]["action"], "delete_message");
  EXPECT_EQ(entries[0]["user"], "bob");
  EXPECT_EQ(entries[1]["action"], "archive_room");
  EXPECT_EQ(entries[1]["detail"], "#secret");
  EXPECT_EQ(entries[2]["action"], "delete_message");
  EXPECT_EQ(entries[2]["detail"], "message " + std::to_string(mine) + " in #general");
}

}  // namespace
}  // namespace chatterbox::test_support
