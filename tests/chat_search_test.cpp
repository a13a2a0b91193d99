// chat_service: search, and history read forwards or around a message (opening a result).

#include "support/chat_fixture.hpp"

#include <string>
#include <vector>

namespace chatterbox {
namespace {

using namespace test_support;
using ids = std::vector<std::int64_t>;

class chat_search_test : public chat_fixture {
 protected:
  // The answer to one search (a `search` or an `error` frame).
  json search(const std::shared_ptr<fake_peer>& peer, const std::string& query,
              json extra = json::object()) {
    json frame = {{"type", "search"}, {"query", query}};
    frame.update(extra);
    peer->take();
    receive(peer, frame);
    settle();
    auto frames = peer->take();
    EXPECT_EQ(frames.size(), 1u) << query;
    return frames.empty() ? json() : frames.front();
  }
  ids found(const std::shared_ptr<fake_peer>& peer, const std::string& query,
            json extra = json::object()) {
    const auto answer = search(peer, query, std::move(extra));
    EXPECT_EQ(answer.value("type", ""), "search") << query << ": " << answer.dump();
    return answer.contains("results") ? ids_of(answer.at("results")) : ids{};
  }
  json history_frame(const std::shared_ptr<fake_peer>& peer, json request) {
    peer->take();
    receive(peer, request);
    auto frames = peer->take();
    EXPECT_EQ(frames.size(), 1u);
    return frames.empty() ? json() : frames.front();
  }
};

TEST_F(chat_search_test, FindsTheUsersMessagesNewestFirstWithSnippets) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  const auto a = post(alice, "We deploy the release notes today");
  post(bob, "lunch?");
  const auto b = post(bob, "deployed, see the release notes");
  const auto answer = search(alice, "deplo* \"release notes\"");
  ASSERT_EQ(answer.at("type"), "search");
  EXPECT_EQ(answer.at("query"), "deplo* \"release notes\"");
  EXPECT_TRUE(answer.at("before").is_null());
  EXPECT_EQ(answer.at("has_more"), false);
  ASSERT_EQ(ids_of(answer.at("results")), (ids{b, a}));
  const auto& first = answer.at("results")[0];
  EXPECT_EQ(first.at("user"), "bob");
  EXPECT_EQ(first.at("room"), general);
  EXPECT_EQ(first.at("text"), "deployed, see the release notes");
  EXPECT_EQ(first.at("snippet"), json({"", "deployed", ", see the ", "release notes"}));
}

TEST_F(chat_search_test, OperatorsFilterByAuthorRoomAndDay) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  const auto design = create_private(alice, "Design Team", {"bob"});
  const auto a = post(alice, "status green");
  const auto b = post(bob, "status red", design);
  const auto c = post(bob, "status amber");
  EXPECT_EQ(found(alice, "status from:bob"), (ids{c, b}));
  EXPECT_EQ(found(alice, "status from:@BOB from:alice"), (ids{c, b, a}));
  EXPECT_EQ(found(alice, "status in:\"design team\""), (ids{b}));
  EXPECT_EQ(found(alice, "status in:#general from:bob"), (ids{c}));
  EXPECT_EQ(found(alice, "in:general"), (ids{c, a}));  // operators alone: the newest
  EXPECT_EQ(found(alice, "status before:1970-01-02"), ids{});
  EXPECT_EQ(found(alice, "status after:1970-01-01"), (ids{c, b, a}));
}

TEST_F(chat_search_test, FiltersOnlyResultsShowTheStartOfTheText) {
  const auto alice = connect(alice_);
  post(alice, long_text(300, "é"));
  const auto answer = search(alice, "from:alice");
  ASSERT_EQ(answer.at("results").size(), 1u);
  EXPECT_EQ(answer.at("results")[0].at("snippet"), json({long_text(200, "é") + "…"}));
}

TEST_F(chat_search_test, PagesWithBefore) {
  const auto alice = connect(alice_);
  std::vector<std::int64_t> posted;
  for (int i = 0; i < 5; ++i) posted.push_back(post(alice, "page item " + std::to_string(i)));
  auto answer = search(alice, "item", {{"limit", 2}});
  EXPECT_EQ(ids_of(answer.at("results")), (ids{posted[4], posted[3]}));
  EXPECT_EQ(answer.at("has_more"), true);
  EXPECT_EQ(answer.at("next_before"), posted[3]);
  answer = search(alice, "item", {{"limit", 2}, {"before", posted[3]}});
  EXPECT_EQ(answer.at("before"), posted[3]);
  EXPECT_EQ(ids_of(answer.at("results")), (ids{posted[2], posted[1]}));
  EXPECT_EQ(answer.at("next_before"), posted[1]);
  answer = search(alice, "item", {{"limit", 2}, {"before", posted[1]}});
  EXPECT_EQ(ids_of(answer.at("results")), (ids{posted[0]}));
  EXPECT_EQ(answer.at("has_more"), false);
  EXPECT_EQ(answer.at("next_before"), nullptr);
}

TEST_F(chat_search_test, EditsAndDeletesAreSearchedAsTheyAreNow) {
  const auto alice = connect(alice_);
  const auto m = post(alice, "tpyo here");
  const auto gone = post(alice, "tpyo again");
  receive(alice, {{"type", "edit"}, {"id", m}, {"text", "typo fixed"}});
  receive(alice, {{"type", "delete"}, {"id", gone}});
  settle();
  EXPECT_EQ(found(alice, "tpyo"), ids{});
  EXPECT_EQ(found(alice, "typo"), (ids{m}));
  EXPECT_EQ(found(alice, "from:alice"), (ids{m}));
}

TEST_F(chat_search_test, NeverFindsRoomsTheUserIsNotIn) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  const auto carol = connect(carol_);
  const auto secret = create_private(bob, "secret", {"carol"});
  const auto dm = open_dm(bob, {"carol"});
  const auto open = post(bob, "codeword in general");
  post(bob, "codeword in secret", secret);
  post(carol, "codeword in a dm", dm);
  EXPECT_EQ(found(alice, "codeword"), (ids{open}));
  EXPECT_EQ(found(alice, "from:bob"), (ids{open}));
  EXPECT_EQ(found(carol, "codeword").size(), 3u);
  // Removed from the room: its messages are no longer found.
  receive(bob, {{"type", "remove_member"}, {"room", secret}, {"user", "carol"}});
  settle();
  EXPECT_EQ(found(carol, "codeword").size(), 2u);
}

TEST_F(chat_search_test, InARoomTheUserIsNotInIsLikeOneThatDoesNotExist) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  create_private(bob, "secret");
  const auto hidden = search(alice, "x in:secret");
  const auto missing = search(alice, "x in:nowhere");
  EXPECT_EQ(hidden.at("type"), "error");
  EXPECT_EQ(hidden.at("code"), "not_found");
  EXPECT_EQ(hidden.at("message"), "no room called secret");
  EXPECT_EQ(missing.at("code"), "not_found");
  EXPECT_EQ(missing.at("message"), "no room called nowhere");
  EXPECT_TRUE(hidden.at("ref").is_null());
}

TEST_F(chat_search_test, ClearErrorsForQueriesThatCannotBeAnswered) {
  const auto alice = connect(alice_);
  const auto expect_error = [&](const std::string& query, const std::string& code,
                                const std::string& message) {
    const auto answer = search(alice, query);
    EXPECT_EQ(answer.value("type", ""), "error") << query;
    EXPECT_EQ(answer.value("code", ""), code) << query;
    EXPECT_EQ(answer.value("message", ""), message) << query;
  };
  expect_error("(( ))", "invalid_field", "nothing to search for");
  expect_error("\"", "invalid_field", "nothing to search for");
  expect_error("x on:2026-02-30", "invalid_field", "dates are YYYY-MM-DD");
  expect_error("x from:nobody", "not_found", "no user called nobody");
  expect_error("x from:\"not a name\"", "not_found", "no user called not a name");
}

TEST_F(chat_search_test, HostileQueriesGetResultsNotErrors) {
  const auto alice = connect(alice_);
  const auto m = post(alice, "NEAR( the \"quoted\" OR NOT - ^ : * stuff");
  for (const std::string query : {"NEAR(", "\"quoted", "OR", "near( stuff", "NOT stuff",
                                  "stuff\"", "-stuff", "^stuff", "stuff:", "*stuff"}) {
    EXPECT_EQ(found(alice, query), (ids{m})) << query;
  }
  // Built by append: GCC 12 warns falsely (-Warray-bounds) on a chain of string + here.
  std::string nested(250, '(');
  nested.append(" NEAR(a, b) ").append(200, '"');
  EXPECT_EQ(found(alice, nested), ids{});
}

TEST_F(chat_search_test, AReplyStaysWithinTheReplyBudget) {
  limits_.reply_bytes = 20'000;
  reconfigure(limits_);
  const auto alice = connect(alice_);
  for (int i = 0; i < 10; ++i) post(alice, "big " + long_text(3000));
  const auto answer = search(alice, "big", {{"limit", 50}});
  EXPECT_EQ(answer.at("has_more"), true);
  EXPECT_GE(answer.at("results").size(), 1u);
  EXPECT_LE(answer.dump().size(), 20'000u);
  EXPECT_LT(answer.at("results").size(), 10u);
}

// --- history after / around ---

TEST_F(chat_search_test, HistoryAfterReadsForwards) {
  const auto alice = connect(alice_);
  post_many(alice, 10);
  auto page = history_frame(alice, {{"type", "history"}, {"room", general}, {"after", 3}, {"limit", 4}});
  EXPECT_EQ(page.at("after"), 3);
  EXPECT_FALSE(page.contains("before"));
  EXPECT_EQ(ids_of(page.at("messages")), range(4, 7));
  EXPECT_EQ(page.at("has_more"), true);
  page = history_frame(alice, {{"type", "history"}, {"room", general}, {"after", 7}, {"limit", 4}});
  EXPECT_EQ(ids_of(page.at("messages")), range(8, 10));
  EXPECT_EQ(page.at("has_more"), false);
}

TEST_F(chat_search_test, HistoryAroundAMessage) {
  const auto alice = connect(alice_);
  post_many(alice, 20);
  auto page = history_frame(alice, {{"type", "history"}, {"room", general}, {"around", 10}, {"limit", 6}});
  EXPECT_EQ(page.at("around"), 10);
  EXPECT_EQ(ids_of(page.at("messages")), range(7, 12));  // 3 older, the message, 2 newer
  EXPECT_EQ(page.at("has_more"), true);
  EXPECT_EQ(page.at("has_newer"), true);
  page = history_frame(alice, {{"type", "history"}, {"room", general}, {"around", 2}, {"limit", 6}});
  EXPECT_EQ(ids_of(page.at("messages")), range(1, 4));  // no more older: not filled from newer
  EXPECT_EQ(page.at("has_more"), false);
  page = history_frame(alice, {{"type", "history"}, {"room", general}, {"around", 19}, {"limit", 6}});
  EXPECT_EQ(ids_of(page.at("messages")), range(16, 20));
  EXPECT_EQ(page.at("has_newer"), false);
}

TEST_F(chat_search_test, HistoryAroundOnlyAMessageOfThatRoom) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  const auto secret = create_private(bob, "secret");
  const auto hidden = post(bob, "hidden", secret);
  const auto open = post(bob, "open");
  // A message of another room, through a room the user is in.
  auto answer = history_frame(alice, {{"type", "history"}, {"room", general}, {"around", hidden}});
  EXPECT_EQ(answer.at("type"), "error");
  EXPECT_EQ(answer.at("code"), "not_found");
  // The room itself, not being a member.
  answer = history_frame(alice, {{"type", "history"}, {"room", secret}, {"around", hidden}});
  EXPECT_EQ(answer.at("code"), "not_found");
  answer = history_frame(alice, {{"type", "history"}, {"room", general}, {"around", open + 100}});
  EXPECT_EQ(answer.at("code"), "not_found");
  answer = history_frame(alice, {{"type", "history"}, {"room", general}, {"around", open}});
  EXPECT_EQ(ids_of(answer.at("messages")), (ids{open}));
}

TEST_F(chat_search_test, HistoryAroundKeepsTheMessageWithinTheBudget) {
  limits_.reply_bytes = 20'000;
  reconfigure(limits_);
  const auto alice = connect(alice_);
  std::vector<std::int64_t> posted;
  for (int i = 0; i < 12; ++i) posted.push_back(post(alice, long_text(3000)));
  const auto page = history_frame(
      alice, {{"type", "history"}, {"room", general}, {"around", posted[6]}, {"limit", 12}});
  const auto got = ids_of(page.at("messages"));
  EXPECT_NE(std::find(got.begin(), got.end(), posted[6]), got.end());
  EXPECT_LT(got.size(), 12u);
  EXPECT_EQ(page.at("has_more"), true);
  EXPECT_EQ(page.at("has_newer"), true);
  EXPECT_LE(page.dump().size(), 20'000u);
}

}  // namespace
}  // namespace chatterbox
