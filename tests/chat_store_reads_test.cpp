// The chat store's reads and its startup load, on SQLite and on PostgreSQL alike
// (support/chat_store_fixture.hpp).

#include "support/chat_store_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace chatterbox {
namespace {

class chat_store_reads_test : public test_support::chat_store_test {};

TEST_P(chat_store_reads_test, HistoryPagesComeOldestFirstWithReactionsAsTheViewerSeesThem) {
  for (int i = 1; i <= 5; ++i) send(alice, general, "h" + std::to_string(i));
  send(alice, ops, "elsewhere");
  ASSERT_TRUE(react(bob, 3, "👍", true).second.changed);
  auto& store = harness_->store();
  using page_t = std::vector<message>;
  const auto newest =
      read<page_t>([&](auto then) { store.page_before(general, std::nullopt, 3, bob, then); });
  EXPECT_EQ(ids(newest), (std::vector<std::int64_t>{3, 4, 5}));
  ASSERT_EQ(newest[0].reactions.size(), 1u);
  EXPECT_EQ(newest[0].reactions[0].users, std::vector<std::string>{"bob"});
  EXPECT_TRUE(newest[0].reactions[0].me);
  const auto as_carol =
      read<page_t>([&](auto then) { store.page_before(general, 4, 1, carol, then); });
  ASSERT_EQ(ids(as_carol), std::vector<std::int64_t>{3});
  EXPECT_FALSE(as_carol[0].reactions.at(0).me);
  EXPECT_EQ(ids(read<page_t>([&](auto then) { store.page_before(general, 3, 10, bob, then); })),
            (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(ids(read<page_t>([&](auto then) { store.page_after(general, 2, 2, bob, then); })),
            (std::vector<std::int64_t>{3, 4}));

  const auto around =
      read<around_page>([&](auto then) { store.page_around(general, 3, 1, 1, bob, then); });
  EXPECT_TRUE(around.found);
  EXPECT_EQ(ids(around.older), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(ids(around.newer), (std::vector<std::int64_t>{3, 4, 5}));
  EXPECT_EQ(around.newer[0].reactions.size(), 1u);
  EXPECT_FALSE(
      read<around_page>([&](auto then) { store.page_around(general, 6, 1, 1, bob, then); }).found);
  EXPECT_FALSE(
      read<around_page>([&](auto then) { store.page_around(general, 99, 1, 1, bob, then); }).found);
}

TEST_P(chat_store_reads_test, ChangesSinceASeqKeepToTheUsersRoomsInSeqOrder) {
  send(alice, general, "g1");
  send(alice, ops, "o2");
  send(alice, general, "g3");
  ASSERT_EQ(refusal(edit(alice, 1, "g1 again")), "stored");  // seq 4
  auto& store = harness_->store();
  const auto visible_to = [this](std::int64_t user) {
    return [this, user](std::int64_t room) { return rooms_.visible(room, user) != nullptr; };
  };
  const auto carols = read<change_page>(
      [&](auto then) { store.changes_since(0, carol, visible_to(carol), 10, 100, then); });
  EXPECT_EQ(ids(carols.messages), (std::vector<std::int64_t>{3, 1}));
  EXPECT_EQ(carols.messages[1].text, "g1 again");
  EXPECT_EQ(carols.cursor, 4);
  EXPECT_TRUE(carols.exhausted);

  const auto bobs = read<change_page>(
      [&](auto then) { store.changes_since(1, bob, visible_to(bob), 1, 100, then); });
  EXPECT_EQ(ids(bobs.messages), (std::vector<std::int64_t>{2, 3}));  // one more than asked
  EXPECT_FALSE(bobs.exhausted);

  const auto none = read<change_page>(
      [&](auto then) { store.changes_since(4, bob, visible_to(bob), 10, 100, then); });
  EXPECT_TRUE(none.messages.empty());
  EXPECT_TRUE(none.exhausted);

  remove_member(ops, bob);
  using ids_t = std::vector<std::int64_t>;
  EXPECT_EQ(read<ids_t>([&](auto then) { store.departures(bob, 0, 100, then); }), ids_t{ops});
  EXPECT_TRUE(read<ids_t>([&](auto then) { store.departures(bob, 5, 100, then); }).empty());
}

TEST_P(chat_store_reads_test, MarksCountWhatIsUnreadAfterEachMarker) {
  send(alice, general, "g1", std::nullopt, std::nullopt, {{"bob"}, {bob}});
  send(alice, general, "g2");
  send(carol, general, "g3", std::nullopt, std::nullopt, {{"bob"}, {bob}});
  send(alice, ops, "o4");
  send(bob, general, "own");  // one's own messages are never unread
  ASSERT_TRUE(seen(ops, bob, 4).second.moved);
  auto& store = harness_->store();
  auto marks = read<std::vector<room_marks>>([&](auto then) { store.marks_of(bob, then); });
  std::sort(marks.begin(), marks.end(), [](auto& a, auto& b) { return a.room_id < b.room_id; });
  ASSERT_EQ(marks.size(), 3u);
  EXPECT_EQ(marks[0].room_id, general);
  EXPECT_EQ(marks[0].marker, 0);
  EXPECT_EQ(marks[0].unread, 3);
  EXPECT_EQ(marks[0].mentions, 2);
  EXPECT_EQ(marks[1].room_id, ops);
  EXPECT_EQ(marks[1].marker, 4);
  EXPECT_EQ(marks[1].unread, 0);

  const auto after_one =
      read<room_marks>([&](auto then) { store.unread_after(general, bob, 1, then); });
  EXPECT_EQ(after_one.unread, 2);
  EXPECT_EQ(after_one.mentions, 1);
}

TEST_P(chat_store_reads_test, MembersAreFoundByTheStartOfTheirNameInAnyCase) {
  auto& store = harness_->store();
  using rows_t = std::vector<std::pair<std::int64_t, std::string>>;
  EXPECT_EQ(read<rows_t>([&](auto then) { store.members(general, true, "B", 10, then); }),
            (rows_t{{bob, "bob"}}));
  EXPECT_EQ(read<rows_t>([&](auto then) { store.members(ops, false, "", 10, then); }),
            (rows_t{{alice, "alice"}, {bob, "bob"}}));
  EXPECT_EQ(read<rows_t>([&](auto then) { store.members(general, true, "", 2, then); }).size(), 2u);
  EXPECT_TRUE(
      read<rows_t>([&](auto then) { store.members(general, true, "_", 10, then); }).empty());
}

TEST_P(chat_store_reads_test, SeenByNamesTheOthersWhoReadThatFar) {
  const auto id = send(alice, ops, "o").change.changed.id;
  const auto in_general = send(alice, general, "g").change.changed.id;
  auto& store = harness_->store();
  using users_t = std::optional<std::vector<std::string>>;
  EXPECT_EQ(read<users_t>([&](auto then) { store.seen_by(ops, id, alice, 10, then); }),
            users_t{std::vector<std::string>{}});
  seen(ops, bob, id);
  EXPECT_EQ(read<users_t>([&](auto then) { store.seen_by(ops, id, alice, 10, then); }),
            users_t{std::vector<std::string>{"bob"}});
  EXPECT_EQ(read<users_t>([&](auto then) { store.seen_by(ops, in_general, alice, 10, then); }),
            std::nullopt);
}

TEST_P(chat_store_reads_test, OnlyTheCreatorOrAnAdministratorArchivesARoom) {
  const auto by_bob = wait_for_answer<room_change>(
      [&](auto then) { harness_->store().archive_room(ops, true, bob, std::move(then)); });
  EXPECT_EQ(refusal(by_bob), "forbidden: only the room's creator can do that");
  harness_->exec("UPDATE users SET role = 'admin' WHERE id = 2");
  const auto promoted = wait_for_answer<room_change>(
      [&](auto then) { harness_->store().archive_room(ops, true, bob, std::move(then)); });
  EXPECT_EQ(refusal(promoted), "stored");
  EXPECT_EQ(promoted.second.seq, 1);  // the refusal took none
}

TEST_P(chat_store_reads_test, ALoadIsEverythingANodeNeedsToServe) {
  send(alice, general, "g1");
  send(bob, ops, "o2");
  seen(ops, bob, 2);
  create({alice, "dm", "", "1,3", {alice, carol}, "d"});
  const auto snapshot = read<chat_snapshot>([&](auto then) { harness_->store().load(then); });
  EXPECT_EQ(snapshot.users, (std::vector<std::pair<std::int64_t, std::string>>{
                                {alice, "alice"}, {bob, "bob"}, {carol, "carol"}}));
  ASSERT_EQ(snapshot.rooms.size(), 4u);
  EXPECT_EQ(snapshot.rooms[1].name, "ops");
  EXPECT_EQ(snapshot.rooms[1].kind, "private");
  EXPECT_EQ(snapshot.rooms[1].creator_id, alice);
  EXPECT_TRUE(snapshot.rooms[2].archived);
  EXPECT_EQ(snapshot.rooms[3].dm_key, "1,3");
  EXPECT_EQ(snapshot.rooms[3].seq, 3);
  EXPECT_EQ(snapshot.closed_members.size(), 4u);  // ops: alice, bob; the DM: alice, carol
  ASSERT_EQ(snapshot.markers.size(), 1u);
  EXPECT_EQ(snapshot.markers[0].user_id, bob);
  EXPECT_EQ(snapshot.markers[0].marker, 2);
  auto last_ids = snapshot.last_ids;
  std::erase_if(last_ids, [](const auto& room) { return room.second == 0; });
  std::sort(last_ids.begin(), last_ids.end());
  EXPECT_EQ(last_ids, (std::vector<std::pair<std::int64_t, std::int64_t>>{{general, 1}, {ops, 2}}));
  EXPECT_EQ(snapshot.last_seq, 3);
}

TEST_P(chat_store_reads_test, SearchFindsWordsPhrasesAndBeginningsInTheUsersRooms) {
  send(alice, general, "w1");  // "text of w1"
  auto& store = harness_->store();
  const auto say = [&](std::int64_t user, std::int64_t room, const std::string& client_id,
                       const std::string& text) {
    send_request request{user, "", room, client_id, text, {}, std::nullopt, std::nullopt};
    return wait_for([&](auto then) { store.send(request, std::move(then)); }).change.changed.id;
  };
  const auto deploy = say(alice, general, "a", "We deploy the release tonight");
  const auto notes = say(bob, general, "b", "release notes are ready");
  const auto secret = say(alice, ops, "c", "the release is secret");
  const auto find = [&](std::int64_t user, std::vector<search_term> terms,
                        std::vector<std::int64_t> authors = {}) {
    search_request request;
    request.user_id = user;
    request.authors = std::move(authors);
    request.limit = 10;
    const auto page = read<search_page>([&](auto then) { store.search(request, terms, then); });
    std::vector<std::int64_t> found;
    for (const auto& hit : page.hits) found.push_back(hit.found.id);
    return std::make_pair(found, page);
  };
  EXPECT_EQ(find(carol, {{"release"}}).first, (std::vector<std::int64_t>{notes, deploy}));
  EXPECT_EQ(find(bob, {{"release"}}).first, (std::vector<std::int64_t>{secret, notes, deploy}));
  EXPECT_EQ(find(bob, {{"release"}}, {alice}).first, (std::vector<std::int64_t>{secret, deploy}));
  EXPECT_EQ(find(carol, {{"DEPLO", true}}).first, std::vector<std::int64_t>{deploy});
  EXPECT_EQ(find(carol, {{"release notes", false, true}}).first, std::vector<std::int64_t>{notes});
  EXPECT_EQ(find(carol, {{"notes release", false, true}}).first, std::vector<std::int64_t>{});
  EXPECT_EQ(find(carol, {{"release"}, {"tonight"}}).first, std::vector<std::int64_t>{deploy});
  // Text that would be syntax to the search engine is only text.
  EXPECT_TRUE(find(carol, {{"release & !notes | 'x':*"}}).first.empty());
  EXPECT_TRUE(find(carol, {{"\"'"}}).first.empty());

  const auto [ids, page] = find(carol, {{"notes"}});
  ASSERT_EQ(page.hits.size(), 1u);
  EXPECT_NE(page.hits[0].snippet.find("\x01notes\x02"), std::string::npos) << page.hits[0].snippet;
  ASSERT_TRUE(react(carol, notes, "👀", true).second.changed);
  EXPECT_TRUE(find(carol, {{"notes"}}).second.hits.at(0).found.reactions.at(0).me);

  ASSERT_EQ(refusal(remove(bob, notes)), "stored");
  EXPECT_EQ(find(carol, {{"release"}}).first, std::vector<std::int64_t>{deploy});
  // No words: the filters alone, newest first.
  EXPECT_EQ(find(carol, {}, {alice}).first, (std::vector<std::int64_t>{deploy, 1}));
}

INSTANTIATE_TEST_SUITE_P(Stores, chat_store_reads_test, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace chatterbox
