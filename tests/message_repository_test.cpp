#include "chatterbox/storage/message_repository.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chatterbox {
namespace {

constexpr std::int64_t created_t0 = 1'795'000'000'000;

class message_repository_test : public test_support::temp_db_test {
 protected:
  void SetUp() override {
    temp_db_test::SetUp();
    alice_ = add_user("alice");
    bob_ = add_user("bob");
  }
  void attach() override { messages_.emplace(handle()); }
  void detach() override { messages_.reset(); }

  // Stands in for seq_counter: every change takes the next global seq.
  std::int64_t next_seq() { return ++seq_; }

  // A message in `room` (general unless told), with client id "c-<n>".
  message post(std::int64_t user, const std::string& text, std::int64_t room = general) {
    const std::int64_t n = ++posted_;
    const std::string client_id = "c-" + std::to_string(n);
    return messages_->insert(fresh(user, client_id, text, room), created_t0 + n, next_seq()).value();
  }

  new_message fresh(std::int64_t user, std::string_view client_id, std::string_view text,
                    std::int64_t room = general, std::vector<std::string> mentions = {}) {
    return new_message{
        user, user == alice_ ? "alice" : "bob", room, client_id, text, std::move(mentions), {}};
  }

  static constexpr std::int64_t general = 1;

  std::vector<message> post_many(int count) {
    std::vector<message> out;
    for (int i = 0; i < count; ++i)
      out.push_back(post(i % 2 ? bob_ : alice_, "m" + std::to_string(i)));
    return out;
  }

  static std::vector<std::int64_t> ids(const std::vector<message>& list) {
    std::vector<std::int64_t> out;
    for (const message& m : list) out.push_back(m.id);
    return out;
  }

  std::optional<message_repository> messages_;
  std::int64_t alice_ = 0;
  std::int64_t bob_ = 0;
  std::int64_t seq_ = 0;
  std::int64_t posted_ = 0;
};

TEST_F(message_repository_test, InsertReturnsStoredMessage) {
  const message m = messages_->insert(fresh(alice_, "c-1", "hi\nthere"), created_t0, 7).value();
  EXPECT_GT(m.id, 0);
  EXPECT_EQ(m.seq, 7);
  EXPECT_EQ(m.room, general);
  EXPECT_EQ(m.user, "alice");
  EXPECT_EQ(m.text, "hi\nthere");
  EXPECT_EQ(m.ts, created_t0);
  EXPECT_FALSE(m.edited);
  EXPECT_FALSE(m.deleted);
  EXPECT_EQ(messages_->find(m.id), m);
}

TEST_F(message_repository_test, IdsIncreaseWithCreationOrder) {
  const auto posted = post_many(5);
  for (std::size_t i = 1; i < posted.size(); ++i) EXPECT_GT(posted[i].id, posted[i - 1].id);
}

TEST_F(message_repository_test, UnknownIdIsNotFound) {
  post(alice_, "hi");
  EXPECT_FALSE(messages_->find(999));
  EXPECT_FALSE(messages_->find_owner(999));
}

TEST_F(message_repository_test, MaxSeqTracksLatestChange) {
  EXPECT_EQ(messages_->max_seq(), 0);
  const auto posted = post_many(3);
  EXPECT_EQ(messages_->max_seq(), 3);
  messages_->update_text(posted[0].id, "edited", {}, next_seq());
  EXPECT_EQ(messages_->max_seq(), 4);
  messages_->mark_deleted(posted[1].id, next_seq());
  EXPECT_EQ(messages_->max_seq(), 5);
}

TEST_F(message_repository_test, ResentClientIdIsFoundAndNotStoredTwice) {
  const message original = messages_->insert(fresh(alice_, "c-1", "hi"), created_t0, next_seq()).value();
  const auto again = messages_->find_by_client_id(alice_, "c-1");
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, original);

  EXPECT_EQ(messages_->insert(fresh(alice_, "c-1", "hi"), created_t0 + 5, next_seq()), std::nullopt);
  EXPECT_EQ(messages_->page_before(general, std::nullopt, 10), std::vector<message>{original});
  EXPECT_EQ(messages_->find_by_client_id(alice_, "c-1"), original);
}

TEST_F(message_repository_test, ClientIdsArePerUser) {
  messages_->insert(fresh(alice_, "c-1", "from alice"), created_t0, next_seq());
  EXPECT_FALSE(messages_->find_by_client_id(bob_, "c-1"));
  const message bobs = messages_->insert(fresh(bob_, "c-1", "from bob"), created_t0, next_seq()).value();
  EXPECT_EQ(messages_->find_by_client_id(bob_, "c-1"), bobs);
  EXPECT_EQ(messages_->find_by_client_id(alice_, "c-1")->text, "from alice");
}

TEST_F(message_repository_test, MessageFromUnknownUserIsRejected) {
  EXPECT_THROW(messages_->insert(new_message{bob_ + 100, "ghost", general, "c-1", "boo", {}, {}}, created_t0,
                                 next_seq()),
               SQLite::Exception);
  EXPECT_EQ(messages_->max_seq(), 0);
}

TEST_F(message_repository_test, LatestPageIsNewestMessagesOldestFirst) {
  const auto posted = post_many(120);
  const auto page = messages_->page_before(general, std::nullopt, 50);
  ASSERT_EQ(page.size(), 50u);
  EXPECT_EQ(page.front(), posted[70]);
  EXPECT_EQ(page.back(), posted[119]);
  for (std::size_t i = 1; i < page.size(); ++i) EXPECT_LT(page[i - 1].id, page[i].id);
}

TEST_F(message_repository_test, PageBeforeReturnsOlderMessagesOldestFirst) {
  const auto posted = post_many(10);
  const auto page = messages_->page_before(general, posted[6].id, 3);
  EXPECT_EQ(ids(page), (std::vector{posted[3].id, posted[4].id, posted[5].id}));
  EXPECT_EQ(ids(messages_->page_before(general, posted[2].id, 50)),
            (std::vector{posted[0].id, posted[1].id}));
  EXPECT_TRUE(messages_->page_before(general, posted[0].id, 50).empty());
}

TEST_F(message_repository_test, PagingThroughHistoryHasNoGapsOrDuplicates) {
  const auto posted = post_many(250);
  for (int limit : {50, 7, 100}) {
    std::vector<message> collected;
    std::optional<std::int64_t> before;
    for (int pages = 0; pages < 1000; ++pages) {
      auto page = messages_->page_before(general, before, limit);
      if (page.empty()) break;
      ASSERT_LE(page.size(), static_cast<std::size_t>(limit));
      before = page.front().id;
      collected.insert(collected.begin(), page.begin(), page.end());
    }
    EXPECT_EQ(collected, posted) << "limit " << limit;
  }
}

TEST_F(message_repository_test, EmptyHistoryAndNonPositiveLimit) {
  EXPECT_TRUE(messages_->page_before(general, std::nullopt, 50).empty());
  post_many(3);
  EXPECT_TRUE(messages_->page_before(general, std::nullopt, 0).empty());
  EXPECT_TRUE(messages_->changed_since(0, 0).empty());
}

TEST_F(message_repository_test, UpdateTextMarksEditedAndTakesNewSeq) {
  const message m = post(alice_, "hello");
  const message edited = messages_->update_text(m.id, "hello there", {}, next_seq());
  EXPECT_EQ(edited.id, m.id);
  EXPECT_EQ(edited.seq, 2);
  EXPECT_EQ(edited.text, "hello there");
  EXPECT_EQ(edited.user, "alice");
  EXPECT_EQ(edited.ts, m.ts);  // creation time is kept
  EXPECT_TRUE(edited.edited);
  EXPECT_FALSE(edited.deleted);
  EXPECT_EQ(messages_->find(m.id), edited);
}

TEST_F(message_repository_test, DeleteLeavesTombstone) {
  const message m = post(bob_, "oops");
  const message tomb = messages_->mark_deleted(m.id, next_seq());
  EXPECT_EQ(tomb.id, m.id);
  EXPECT_EQ(tomb.seq, 2);
  EXPECT_TRUE(tomb.deleted);
  EXPECT_EQ(tomb.text, "");
  EXPECT_EQ(tomb.user, "bob");
  EXPECT_EQ(messages_->find(m.id), tomb);
  EXPECT_EQ(messages_->page_before(general, std::nullopt, 10), std::vector<message>{tomb});

  const auto owner = messages_->find_owner(m.id);
  ASSERT_TRUE(owner);
  EXPECT_EQ(owner->user_id, bob_);
  EXPECT_TRUE(owner->deleted);
}

TEST_F(message_repository_test, DeletedMessageCannotBeEdited) {
  const message m = post(alice_, "secret");
  const message tomb = messages_->mark_deleted(m.id, next_seq());
  EXPECT_THROW(messages_->update_text(m.id, "back again", {}, next_seq()), std::runtime_error);
  EXPECT_EQ(messages_->find(m.id), tomb);
  EXPECT_THROW(messages_->update_text(999, "nothing", {}, next_seq()), std::runtime_error);
  EXPECT_THROW(messages_->mark_deleted(999, next_seq()), std::runtime_error);
}

TEST_F(message_repository_test, FindOwnerReportsAuthor) {
  const message m = post(alice_, "mine");
  const auto owner = messages_->find_owner(m.id);
  ASSERT_TRUE(owner);
  EXPECT_EQ(owner->user_id, alice_);
  EXPECT_FALSE(owner->deleted);
  EXPECT_EQ(owner->room, general);
  const message elsewhere = post(bob_, "theirs", 7);
  EXPECT_EQ(messages_->find_owner(elsewhere.id)->room, 7);
}

TEST_F(message_repository_test, ChangedSinceReturnsEachChangeOnceWithCurrentState) {
  const auto posted = post_many(10);  // seq 1..10
  const std::int64_t seen = messages_->max_seq();
  messages_->update_text(posted[2].id, "first edit", {}, next_seq());   // 11
  messages_->mark_deleted(posted[4].id, next_seq());                    // 12
  messages_->update_text(posted[2].id, "second edit", {}, next_seq());  // 13
  const message fresh = post(alice_, "new");                            // 14

  const auto changes = messages_->changed_since(seen, 1000);
  ASSERT_EQ(ids(changes), (std::vector{posted[4].id, posted[2].id, fresh.id}));
  EXPECT_EQ(changes[0].seq, 12);
  EXPECT_TRUE(changes[0].deleted);
  EXPECT_EQ(changes[0].text, "");
  EXPECT_EQ(changes[1].seq, 13);
  EXPECT_EQ(changes[1].text, "second edit");
  EXPECT_TRUE(changes[1].edited);
  EXPECT_EQ(changes[2], fresh);

  EXPECT_TRUE(messages_->changed_since(messages_->max_seq(), 1000).empty());
}

TEST_F(message_repository_test, SyncingInPagesSeesEveryMessageOnce) {
  const auto posted = post_many(30);
  for (int i = 0; i < 30; i += 3) messages_->update_text(posted[i].id, "e", {}, next_seq());
  for (int i = 1; i < 30; i += 4) messages_->mark_deleted(posted[i].id, next_seq());

  std::vector<message> all;
  std::int64_t since = 0;
  for (int rounds = 0; rounds < 100; ++rounds) {
    const auto batch = messages_->changed_since(since, 4);
    if (batch.empty()) break;
    ASSERT_LE(batch.size(), 4u);
    since = batch.back().seq;
    all.insert(all.end(), batch.begin(), batch.end());
  }
  ASSERT_EQ(all.size(), posted.size());
  std::set<std::int64_t> unique;
  for (std::size_t i = 0; i < all.size(); ++i) {
    unique.insert(all[i].id);
    if (i > 0) {
      EXPECT_LT(all[i - 1].seq, all[i].seq);
    }
    EXPECT_EQ(messages_->find(all[i].id), all[i]);  // current state, not a stale copy
  }
  EXPECT_EQ(unique.size(), posted.size());
}

TEST_F(message_repository_test, MessagesSurviveReopen) {
  const auto posted = post_many(5);
  const message tomb = messages_->mark_deleted(posted[1].id, next_seq());
  reopen();
  auto expected = posted;
  expected[1] = tomb;
  EXPECT_EQ(messages_->page_before(general, std::nullopt, 10), expected);
  EXPECT_EQ(messages_->max_seq(), tomb.seq);
}

// --- rooms and mentions (protocol 2) ---

TEST_F(message_repository_test, PagesHoldOnlyTheRoomsMessages) {
  std::vector<std::int64_t> in_general;
  std::vector<std::int64_t> in_seven;
  for (int i = 0; i < 20; ++i) {
    if (i % 3 == 0) {
      in_seven.push_back(post(alice_, "seven " + std::to_string(i), 7).id);
    } else {
      in_general.push_back(post(bob_, "general " + std::to_string(i)).id);
    }
  }
  EXPECT_EQ(ids(messages_->page_before(general, std::nullopt, 100)), in_general);
  EXPECT_EQ(ids(messages_->page_before(7, std::nullopt, 100)), in_seven);
  EXPECT_TRUE(messages_->page_before(8, std::nullopt, 100).empty());
  // `before` counts ids, not positions: the page is the room's messages below it.
  EXPECT_EQ(ids(messages_->page_before(7, in_seven[3], 2)),
            (std::vector{in_seven[1], in_seven[2]}));
  EXPECT_EQ(ids(messages_->page_before(general, in_seven.back(), 3)),
            (std::vector<std::int64_t>(in_general.end() - 4, in_general.end() - 1)));
  for (const auto& m : messages_->page_before(7, std::nullopt, 100)) EXPECT_EQ(m.room, 7);
}

TEST_F(message_repository_test, ChangedSinceSpansEveryRoomInSeqOrder) {
  const auto a = post(alice_, "a");
  const auto b = post(alice_, "b", 7);
  const auto c = post(bob_, "c", 9);
  messages_->update_text(a.id, "a2", {}, next_seq());
  const auto changes = messages_->changed_since(0, 100);
  ASSERT_EQ(ids(changes), (std::vector{b.id, c.id, a.id}));
  EXPECT_EQ(changes[0].room, 7);
  EXPECT_EQ(changes[1].room, 9);
  EXPECT_EQ(changes[2].room, general);
}

TEST_F(message_repository_test, MentionNamesAreStoredWithTheMessage) {
  const auto m =
      messages_
          ->insert(fresh(alice_, "c-1", "hi @bob @here", general, {"bob", "here"}), created_t0, next_seq())
          .value();
  EXPECT_EQ(m.mentions, (std::vector<std::string>{"bob", "here"}));
  EXPECT_EQ(messages_->find(m.id)->mentions, (std::vector<std::string>{"bob", "here"}));
  EXPECT_EQ(messages_->page_before(general, std::nullopt, 10).at(0).mentions, m.mentions);
  const auto plain = post(bob_, "no one");
  EXPECT_TRUE(messages_->find(plain.id)->mentions.empty());
}

TEST_F(message_repository_test, EditReplacesMentionsAndDeleteClearsThem) {
  const auto m =
      messages_->insert(fresh(alice_, "c-1", "hi @bob", general, {"bob"}), created_t0, next_seq()).value();
  auto edited = messages_->update_text(m.id, "hi @carol and @dave", {"carol", "dave"}, next_seq());
  EXPECT_EQ(edited.mentions, (std::vector<std::string>{"carol", "dave"}));
  EXPECT_EQ(messages_->find(m.id)->mentions, edited.mentions);
  edited = messages_->update_text(m.id, "hi all", {}, next_seq());
  EXPECT_TRUE(edited.mentions.empty());
  messages_->update_text(m.id, "hi @bob", {"bob"}, next_seq());
  const auto tomb = messages_->mark_deleted(m.id, next_seq());
  EXPECT_TRUE(tomb.mentions.empty());
  EXPECT_TRUE(messages_->find(m.id)->mentions.empty());
}

TEST_F(message_repository_test, LastIdIsPerRoom) {
  EXPECT_EQ(messages_->last_id(general), 0);
  const auto a = post(alice_, "a");
  const auto b = post(alice_, "b", 7);
  const auto c = post(alice_, "c");
  EXPECT_EQ(messages_->last_id(general), c.id);
  EXPECT_EQ(messages_->last_id(7), b.id);
  EXPECT_EQ(messages_->last_id(8), 0);
  messages_->mark_deleted(c.id, next_seq());  // a tombstone is still the newest message
  EXPECT_EQ(messages_->last_id(general), c.id);
  EXPECT_LT(a.id, c.id);
}

TEST_F(message_repository_test, UnreadCountsOthersLiveMessagesAfterTheMarkerUpToTheCap) {
  const auto mine = post(alice_, "mine");
  const auto first = post(bob_, "1");
  const auto second = post(bob_, "2");
  const auto gone = post(bob_, "3");
  post(bob_, "elsewhere", 7);
  messages_->mark_deleted(gone.id, next_seq());
  EXPECT_EQ(messages_->unread(general, alice_, 0, 100), 2);  // own and deleted ones excluded
  EXPECT_EQ(messages_->unread(general, alice_, first.id, 100), 1);
  EXPECT_EQ(messages_->unread(general, alice_, second.id, 100), 0);
  EXPECT_EQ(messages_->unread(general, bob_, 0, 100), 1);  // alice's
  EXPECT_EQ(messages_->unread(general, bob_, mine.id, 100), 0);
  EXPECT_EQ(messages_->unread(7, alice_, 0, 100), 1);
  EXPECT_EQ(messages_->unread(8, alice_, 0, 100), 0);

  for (int i = 0; i < 120; ++i) post(bob_, "many");
  EXPECT_EQ(messages_->unread(general, alice_, 0, 100), 100);  // stops at the cap
  EXPECT_EQ(messages_->unread(general, alice_, 0, 5), 5);
}

}  // namespace
}  // namespace chatterbox
