// chat_service under limits and failures: replies budgeted in bytes, the query rate, seqs
// reported only once committed, a database that cannot be read.

#include "support/chat_fixture.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <set>

namespace chatterbox {
namespace {

using namespace test_support;

using chat_limits_test = chat_fixture;

// --- replies budgeted in bytes ---

TEST_F(chat_limits_test, HistoryPagesStopAtTheReplyBudgetAndKeepTheNewest) {
  constexpr std::size_t budget = 20 * 1024;  // about four 4000-character messages
  auto limits = generous_limits();
  limits.reply_bytes = budget;
  reconfigure(limits);
  const auto alice = connect(alice_);
  for (int i = 1; i <= 12; ++i) receive(alice, send("m" + std::to_string(i), long_text(4000)));
  settle();
  ASSERT_EQ(service_->current_seq(), 12);

  const auto bob = connect(bob_);
  bob->take();
  receive(bob, history(general));
  ASSERT_EQ(bob->types(), (types{"history"}));
  EXPECT_LE(bob->sizes.at(0), budget);
  const auto initial = bob->take().at(0);
  auto seen = ids_of(initial.at("messages"));
  ASSERT_FALSE(seen.empty());
  EXPECT_LT(seen.size(), 12u);
  EXPECT_EQ(seen, range(seen.front(), 12));  // the newest ones
  EXPECT_EQ(initial.at("has_more"), true);

  // Paging back as a client does (before its oldest message) reaches every message once.
  for (int page = 0; page < 12 && seen.front() > 1; ++page) {
    const auto before = seen.front();
    receive(bob, history(general, before, 50));
    ASSERT_EQ(bob->types(), (types{"history"}));
    EXPECT_LE(bob->sizes.at(0), budget);
    const auto frame = bob->take().at(0);
    const auto ids = ids_of(frame.at("messages"));
    ASSERT_FALSE(ids.empty());
    EXPECT_EQ(ids, range(ids.front(), before - 1));  // the newest before `before`
    EXPECT_EQ(frame.at("has_more"), ids.front() > 1);
    seen.insert(seen.begin(), ids.begin(), ids.end());
  }
  EXPECT_EQ(seen, range(1, 12));

  // A small limit still applies, and the page is the newest of those asked for.
  receive(bob, history(general, 12, 2));
  EXPECT_EQ(ids_of(bob->take().at(0).at("messages")), range(10, 11));
}

TEST_F(chat_limits_test, SyncPagesStopAtTheReplyBudgetAndCoverEveryChangeOnce) {
  constexpr std::size_t budget = 20 * 1024;
  auto limits = generous_limits();
  limits.reply_bytes = budget;
  reconfigure(limits);
  const auto alice = connect(alice_);
  for (int i = 1; i <= 10; ++i) receive(alice, send("m" + std::to_string(i), long_text(4000)));
  receive(alice, {{"type", "edit"}, {"id", 1}, {"text", long_text(4000, "y")}});
  settle();
  ASSERT_EQ(service_->current_seq(), 11);
  alice->take();

  std::vector<std::int64_t> ids;
  std::int64_t since = 0;
  bool has_more = true;
  int pages = 0;
  while (has_more && pages < 20) {
    ++pages;
    receive(alice, {{"type", "sync"}, {"since", since}});
    ASSERT_EQ(alice->types(), (types{"sync"}));
    EXPECT_LE(alice->sizes.at(0), budget);
    const auto page = alice->take().at(0);
    const auto& messages = page.at("messages");
    has_more = page.at("has_more").get<bool>();
    for (const auto& m : messages) {
      EXPECT_GT(m.at("seq").get<std::int64_t>(), since);
      ids.push_back(m.at("id").get<std::int64_t>());
    }
    if (has_more) {
      ASSERT_FALSE(messages.empty());
      EXPECT_EQ(page.at("seq"), messages.back().at("seq"));
    }
    since = page.at("seq").get<std::int64_t>();
  }
  EXPECT_FALSE(has_more);
  EXPECT_GT(pages, 2);
  EXPECT_EQ(since, 11);
  // In seq order: message 1 was edited last.
  EXPECT_EQ(ids, (std::vector<std::int64_t>{2, 3, 4, 5, 6, 7, 8, 9, 10, 1}));
}

TEST_F(chat_limits_test, AMessageLargerThanTheReplyBudgetIsSentAlone) {
  auto limits = generous_limits();
  limits.reply_bytes = 8 * 1024;  // smaller than one message of 4000 four-byte characters
  reconfigure(limits);
  const auto alice = connect(alice_);
  const auto huge = long_text(4000, "\xF0\x9F\x98\x80");  // 16000 bytes
  for (int i = 1; i <= 3; ++i) receive(alice, send("m" + std::to_string(i), huge));
  settle();
  ASSERT_EQ(service_->current_seq(), 3);

  const auto bob = connect(bob_);
  bob->take();
  receive(bob, history(general));
  auto page = bob->take().at(0);
  EXPECT_EQ(ids_of(page.at("messages")), (std::vector<std::int64_t>{3}));
  EXPECT_EQ(page.at("has_more"), true);
  EXPECT_EQ(page.at("messages")[0].at("text"), huge);

  receive(bob, history(general, 3));
  page = bob->take().at(0);
  EXPECT_EQ(ids_of(page.at("messages")), (std::vector<std::int64_t>{2}));
  EXPECT_EQ(page.at("has_more"), true);

  std::vector<std::int64_t> synced;
  std::int64_t since = 0;
  for (int i = 0; i < 3; ++i) {
    receive(bob, {{"type", "sync"}, {"since", since}});
    page = bob->take().at(0);
    ASSERT_EQ(page.at("messages").size(), 1u);
    synced.push_back(page.at("messages")[0].at("id").get<std::int64_t>());
    EXPECT_EQ(page.at("has_more"), i < 2);
    since = page.at("seq").get<std::int64_t>();
  }
  EXPECT_EQ(synced, range(1, 3));
  EXPECT_EQ(since, 3);
}

TEST_F(chat_limits_test, HelloKeepsTheMostRecentlyActiveRoomsWhenOverBudget) {
  constexpr std::size_t budget = 2048;
  auto limits = generous_limits();
  limits.reply_bytes = budget;
  reconfigure(limits);
  const auto alice = connect(alice_);
  // 30 rooms with long names, far more than the budget; room i gets its message in order, so
  // the last ones created are the most recently active.
  std::vector<std::int64_t> rooms;
  for (int i = 0; i < 30; ++i) {
    rooms.push_back(create_private(alice, "a-room-with-a-rather-long-name-" + std::to_string(i)));
    post(alice, "hi", rooms.back());
  }
  const auto again = connect(alice_);
  ASSERT_EQ(again->types(), (types{"hello"}));
  EXPECT_LE(again->sizes.at(0), budget);
  const auto& hello = again->frames[0];
  EXPECT_EQ(hello.at("rooms_truncated"), true);
  std::vector<std::int64_t> kept;
  for (const auto& room : hello.at("rooms")) kept.push_back(room.at("id").get<std::int64_t>());
  ASSERT_FALSE(kept.empty());
  ASSERT_LT(kept.size(), rooms.size());
  // Newest activity first.
  EXPECT_EQ(kept, std::vector<std::int64_t>(
                      rooms.rbegin(), rooms.rbegin() + static_cast<std::ptrdiff_t>(kept.size())));
}

// --- the query rate ---

TEST_F(chat_limits_test, QueriesOverTheQueryRateAreRefusedWithRetryAfter) {
  auto limits = generous_limits();
  limits.query_rate = 1;
  limits.query_burst = 2;
  reconfigure(limits);
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  const auto id = post(bob, "read me");
  forget_frames();

  // Far more than the burst, in far less time than a token takes to come back.
  const std::vector<json> queries{history(general),
                                  {{"type", "sync"}, {"since", 0}},
                                  {{"type", "members"}, {"room", general}},
                                  {{"type", "seen_by"}, {"room", general}, {"id", id}}};
  for (int i = 0; i < 12; ++i) receive(alice, queries[static_cast<std::size_t>(i) % 4]);
  const auto frames = alice->take();
  ASSERT_EQ(frames.size(), 12u);  // every request is answered, one way or the other
  EXPECT_EQ(frames[0].at("type"), "history");
  EXPECT_EQ(frames[1].at("type"), "sync");
  std::vector<std::size_t> refused(4);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const auto& frame = frames[i];
    if (frame.at("type") != "error") continue;
    ++refused[i % 4];
    EXPECT_EQ(frame.at("code"), "rate_limited");
    EXPECT_TRUE(frame.at("ref").is_null()) << i;  // ref is null for queries
    EXPECT_GT(frame.at("retry_after_ms").get<std::int64_t>(), 0);
    EXPECT_LE(frame.at("retry_after_ms").get<std::int64_t>(), 1000);  // one token a second
  }
  // Every kind of query draws on the one budget, and each is refused beyond it.
  for (std::size_t kind = 0; kind < 4; ++kind) EXPECT_GE(refused[kind], 2u) << kind;
  EXPECT_TRUE(bob->frames.empty());

  // Others have their own budget, and sending is not a query.
  receive(bob, history(general));
  EXPECT_EQ(bob->take().at(0).at("type"), "history");
  receive(alice, send("c-1", "still allowed"));
  settle();
  EXPECT_EQ(alice->types(), (types{"ack", "message"}));
}

// --- a seq is reported only once its change is committed ---

TEST_F(chat_limits_test, ASendRefusedBecauseTheDatabaseIsLockedMovesNoSeq) {
  reconfigure(generous_limits(), write_batcher::limits{.lock_wait = std::chrono::milliseconds(20)});
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  post_many(alice, 2);
  forget_frames();
  ASSERT_EQ(service_->current_seq(), 2);

  SQLite::Database other(db_path(), SQLite::OPEN_READWRITE);
  other.exec("BEGIN IMMEDIATE");  // an operator's shell holds the write lock
  receive(alice, send("c-lost", "lost"));
  run_until([&] { return !alice->frames.empty(); });
  ASSERT_EQ(alice->types(), (types{"error"}));
  EXPECT_EQ(alice->frames[0].at("code"), "internal");
  EXPECT_EQ(alice->frames[0].at("ref"), "c-lost");
  EXPECT_TRUE(bob->frames.empty());
  EXPECT_EQ(service_->current_seq(), 2);
  const auto carol = connect(carol_);
  const auto hello_seq = carol->frames.at(0).at("seq").get<std::int64_t>();
  EXPECT_EQ(hello_seq, 2);

  other.exec("COMMIT");
  forget_frames();
  receive(alice, send("c-after", "after"));
  settle();
  EXPECT_EQ(alice->types(), (types{"ack", "message"}));
  ASSERT_EQ(bob->types(), (types{"message"}));
  EXPECT_EQ(bob->frames[0].at("text"), "after");
  EXPECT_FALSE(messages_->find_by_client_id(alice_, "c-lost").has_value());

  // A client that missed the live message catches up from its hello.seq and gets it.
  carol->take();
  receive(carol, {{"type", "sync"}, {"since", hello_seq}});
  ASSERT_EQ(carol->types(), (types{"sync"}));
  const auto& page = carol->frames[0];
  ASSERT_EQ(page.at("messages").size(), 1u);
  EXPECT_EQ(page.at("messages")[0].at("text"), "after");
  EXPECT_EQ(page.at("has_more"), false);
  EXPECT_EQ(page.at("seq"), service_->current_seq());
}

TEST_F(chat_limits_test, ASendInABatchThatIsRolledBackLeavesAGapNotAReportedSeq) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  post_many(alice, 2);
  forget_frames();

  receive(alice, send("c-lost", "lost"));
  // A later write of the same batch makes SQLite roll the whole transaction back, after the
  // message was inserted in it and given a seq (as an I/O error or a full disk may).
  writes_->submit(
      [&] {
        SQLite::Statement running(handle(), "SELECT 1 UNION ALL SELECT 2");
        running.executeStep();
        sqlite3_interrupt(handle().getHandle());
        add_user("interrupted");
      },
      [](bool stored) { EXPECT_FALSE(stored); });
  settle();
  ASSERT_EQ(alice->types(), (types{"error"}));
  EXPECT_EQ(alice->frames[0].at("code"), "internal");
  EXPECT_EQ(alice->frames[0].at("ref"), "c-lost");
  EXPECT_TRUE(bob->frames.empty());
  EXPECT_EQ(service_->current_seq(), 2);
  EXPECT_FALSE(messages_->find_by_client_id(alice_, "c-lost").has_value());
  const auto carol = connect(carol_);
  const auto hello_seq = carol->frames.at(0).at("seq").get<std::int64_t>();
  EXPECT_EQ(hello_seq, 2);
  // Nor does a catch-up: the seq given to the rolled-back message was never committed.
  carol->take();
  receive(carol, {{"type", "sync"}, {"since", hello_seq}});
  EXPECT_EQ(
      carol->take(),
      (std::vector<json>{frame_of(R"({"type":"sync","messages":[],"rooms":[],"removed":[],"seq":2,)"
                                  R"("has_more":false})")}));

  forget_frames();
  receive(alice, send("c-after", "after"));
  settle();
  ASSERT_EQ(bob->types(), (types{"message"}));
  const auto after_seq = bob->frames[0].at("seq").get<std::int64_t>();
  EXPECT_GT(after_seq, 2);
  EXPECT_EQ(service_->current_seq(), after_seq);

  carol->take();
  receive(carol, {{"type", "sync"}, {"since", hello_seq}});
  const auto page = carol->take().at(0);
  ASSERT_EQ(page.at("messages").size(), 1u);
  EXPECT_EQ(page.at("messages")[0].at("text"), "after");
  EXPECT_EQ(page.at("seq"), after_seq);
  EXPECT_EQ(page.at("has_more"), false);
}

// --- a database that cannot be read ---

TEST_F(chat_limits_test, ConnectWhenTheDatabaseCannotBeReadClosesWith1013) {
  const auto bob = connect(bob_);
  receive(bob, send("c-1", "hi @alice"));
  settle();
  receive(bob, {{"type", "watch"}, {"users", {"alice"}}});
  run_until([&] { return bob->frames.size() >= 3; });
  bob->take();
  // The memberships, the unread count or the mention count cannot be read: the table is gone
  // (renamed by an operator, the one read failure SQLite can be made to produce on demand).
  for (const char* name : {"room_members", "messages", "mentions"}) {
    const std::string table = name;
    SQLite::Database other(db_path(), SQLite::OPEN_READWRITE);
    other.exec("ALTER TABLE " + table + " RENAME TO " + table + "_away");
    const auto alice = make_peer(alice_);
    service_->connect(alice);
    ASSERT_EQ(alice->closes.size(), 1u) << table;
    EXPECT_EQ(alice->closes[0].first, 1013) << table;
    EXPECT_TRUE(alice->frames.empty()) << table;  // not even a hello
    EXPECT_EQ(connections_.connection_count(), 1u) << table;
    EXPECT_EQ(connections_.online_users(), std::vector<std::string>{"bob"}) << table;
    service_->disconnect(*alice);  // as the closing session does: harmless
    run_until([] { return false; }, std::chrono::milliseconds(60));
    EXPECT_TRUE(bob->frames.empty()) << table;  // alice was never online
    other.exec("ALTER TABLE " + table + "_away RENAME TO " + table);
  }

  const auto alice = connect(alice_);
  EXPECT_EQ(alice->types(), (types{"hello"}));
  EXPECT_EQ(alice->frames[0].at("rooms")[0].at("mentions"), 1);
  EXPECT_TRUE(alice->closes.empty());
  run_until([&] { return !bob->frames.empty(); });
  EXPECT_EQ(
      bob->frames,
      (std::vector<json>{frame_of(R"({"type":"presence","online":["alice"],"offline":[]})")}));
}

TEST_F(chat_limits_test, SyncPagesStayWithinTheReplyBudgetWhateverTheRoomsHold) {
  constexpr std::size_t budget = 4096;
  auto limits = generous_limits();
  limits.reply_bytes = budget;
  reconfigure(limits);
  const auto alice = connect(alice_);
  // 40 rooms whose objects alone are about twice the budget, and messages between them.
  for (int i = 0; i < 40; ++i) {
    const auto room = create_private(
        alice,
        "a-room-with-a-name-of-sixty-four-characters-for-the-budget-" + std::to_string(100 + i),
        {"bob", "carol", "dave"});
    post(alice, "hi " + std::to_string(i), room);
  }
  alice->take();

  std::set<std::int64_t> rooms;
  std::vector<std::int64_t> messages;
  std::int64_t since = 0;
  bool has_more = true;
  for (int pages = 0; has_more && pages < 100; ++pages) {
    receive(alice, {{"type", "sync"}, {"since", since}});
    ASSERT_EQ(alice->types(), (types{"sync"}));
    EXPECT_LE(alice->sizes.at(0), budget) << "page " << pages;
    const auto page = alice->take().at(0);
    for (const auto& room : page.at("rooms")) rooms.insert(room.at("id").get<std::int64_t>());
    for (const auto& m : page.at("messages")) messages.push_back(m.at("id").get<std::int64_t>());
    EXPECT_GT(page.at("seq").get<std::int64_t>(), since);
    since = page.at("seq").get<std::int64_t>();
    has_more = page.at("has_more").get<bool>();
  }
  EXPECT_FALSE(has_more);
  EXPECT_EQ(rooms.size(), 40u);  // every room, once its latest change is in range
  EXPECT_EQ(messages.size(), 40u);
  EXPECT_EQ(since, service_->current_seq());
}

}  // namespace
}  // namespace chatterbox
