// Export (docs/protocol.md, "Export"): a member downloads a room's history as JSON or Markdown,
// an administrator everything; nobody gets a room they are not in; the command line writes the
// same from the database file.
#include "support/run_command.hpp"
#include "support/server_fixture.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace chatterbox::test_support {
namespace {

class export_test : public server_test {
 protected:
  http_result get(const std::string& token, const std::string& path) {
    return http_request(port(), http::verb::get, path, "", {{"Authorization", "Bearer " + token}});
  }
};

TEST_F(export_test, a_member_exports_a_room_and_nobody_else_can) {
  const auto alice = token_for(port(), "alice");  // the administrator
  const auto bob = token_for(port(), "bob");
  const auto carol = token_for(port(), "carol");
  auto bob_tab = ws_client::connect(port(), bob);
  const auto room = bob_tab->create_room("private", "plans", {"carol"})["id"].get<std::int64_t>();
  const auto first = bob_tab->say(room, "p-1", "# not a heading\nsecond line")["id"].get<std::int64_t>();
  bob_tab->send({{"type", "send"}, {"room", room}, {"client_id", "p-2"}, {"text", "a reply"},
                 {"reply_to", first}});
  bob_tab->expect("ack");
  const auto gone = bob_tab->say(room, "p-3", "deleted later")["id"].get<std::int64_t>();
  bob_tab->send({{"type", "delete"}, {"id", gone}});
  bob_tab->expect("deleted");
  bob_tab->send({{"type", "react"}, {"id", first}, {"emoji", "👍"}, {"on", true}});
  bob_tab->expect("reaction");

  const std::string path = "/api/rooms/" + std::to_string(room) + "/export";
  const auto exported = get(carol, path);
  ASSERT_EQ(exported.status, 200u) << exported.body;
  EXPECT_EQ(exported.header("content-disposition"), "attachment; filename=\"chatterbox-plans.json\"");
  const auto body = exported.body_json();
  ASSERT_EQ(body["rooms"].size(), 1u);
  const auto& plans = body["rooms"][0];
  EXPECT_EQ(plans["name"], "plans");
  EXPECT_EQ(plans["members"], json::array({"bob", "carol"}));
  ASSERT_EQ(plans["messages"].size(), 2u) << plans.dump();
  EXPECT_EQ(plans["messages"][0]["text"], "# not a heading\nsecond line");
  EXPECT_EQ(plans["messages"][0]["user"], "bob");
  EXPECT_EQ(plans["messages"][0]["reactions"]["👍"], json::array({"bob"}));
  EXPECT_EQ(plans["messages"][1]["reply_to"], first);

  const auto markdown = get(carol, path + "?format=markdown");
  ASSERT_EQ(markdown.status, 200u);
  EXPECT_EQ(markdown.header("content-type"), "text/markdown; charset=utf-8");
  EXPECT_NE(markdown.body.find("# Private room plans"), std::string::npos) << markdown.body;
  EXPECT_NE(markdown.body.find("**bob**"), std::string::npos);
  EXPECT_NE(markdown.body.find("\\# not a heading  \nsecond line"), std::string::npos);
  EXPECT_EQ(markdown.body.find("deleted later"), std::string::npos);

  // Not a member (the administrator included): as if there were no such room.
  EXPECT_EQ(get(alice, path).status, 404u);
  EXPECT_EQ(get(bob, "/api/rooms/999/export").status, 404u);
  EXPECT_EQ(http_request(port(), http::verb::get, path).status, 401u);
  EXPECT_EQ(get(carol, path + "?format=pdf").status, 400u);

  // Everything, for administrators only.
  EXPECT_EQ(get(bob, "/api/admin/export").status, 403u);
  const auto all = get(alice, "/api/admin/export");
  ASSERT_EQ(all.status, 200u);
  EXPECT_EQ(all.body_json()["rooms"].size(), 2u);  // general and plans

  // The command line, from the file (or PostgreSQL).
  const auto out = file("plans.md");
  std::string command = CHATTERBOX_BINARY;
  command.append(" export --room plans --format markdown ");
  if (postgres_url_.empty()) {
    command.append("--db ").append(file("chat.db"));
  } else {
    command.append("--store '").append(postgres_url_).append("'");
  }
  command.append(" ").append(out);
  const auto ran = run_command(command);
  ASSERT_EQ(ran.status, 0) << ran.output;
  std::ifstream written(out);
  std::stringstream text;
  text << written.rdbuf();
  EXPECT_NE(text.str().find("\\# not a heading"), std::string::npos);
  EXPECT_EQ(run_command(command).status, 1);  // never overwrites
}

}  // namespace
}  // namespace chatterbox::test_support
