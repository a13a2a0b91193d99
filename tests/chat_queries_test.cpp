// chat_service: what a client reads — history, sync, members and seen_by.

#include "support/chat_fixture.hpp"

#include "chatterbox/storage/migrations.hpp"

#include <SQLiteCpp/Database.h>

namespace chatterbox {
namespace {

using namespace test_support;

using chat_queries_test = chat_fixture;

// --- history ---

TEST_F(chat_queries_test, HistoryPagesBackwardsWithHasMore) {
  const auto alice = connect(alice_);
  post_many(alice, 55);
  alice->take();

  const auto bob = connect(bob_);
  bob->take();
  receive(bob, history(general));  // latest page, default limit
  ASSERT_EQ(bob->types(), (types{"history"}));
  EXPECT_EQ(bob->frames[0].at("room"), general);
  EXPECT_TRUE(bob->frames[0].at("before").is_null());
  EXPECT_EQ(ids_of(bob->frames[0].at("messages")), range(6, 55));  // latest 50, oldest first
  EXPECT_EQ(bob->frames[0].at("has_more"), true);
  bob->take();

  receive(bob, history(general, 6, 3));
  ASSERT_EQ(bob->types(), (types{"history"}));
  EXPECT_EQ(bob->frames[0].at("before"), 6);
  EXPECT_EQ(ids_of(bob->frames[0].at("messages")), range(3, 5));
  EXPECT_EQ(bob->frames[0].at("has_more"), true);
  bob->take();

  receive(bob, history(general, 3, 50));
  EXPECT_EQ(ids_of(bob->frames.at(0).at("messages")), range(1, 2));
  EXPECT_EQ(bob->frames[0].at("has_more"), false);
  bob->take();

  receive(bob, history(general, 6, 5));  // exactly the rest
  EXPECT_EQ(ids_of(bob->frames.at(0).at("messages")), range(1, 5));
  EXPECT_EQ(bob->frames[0].at("has_more"), false);
  EXPECT_TRUE(alice->frames.empty());  // bob's requests are answered to bob only
}

TEST_F(chat_queries_test, HistoryIsPerRoom) {
  const auto alice = connect(alice_);
  const auto room = create_private(alice, "design");
  const auto a = post(alice, "general 1");
  const auto b = post(alice, "design 1", room);
  const auto c = post(alice, "general 2");
  alice->take();
  receive(alice, history(room));
  EXPECT_EQ(ids_of(alice->take().at(0).at("messages")), (std::vector<std::int64_t>{b}));
  receive(alice, history(general));
  EXPECT_EQ(ids_of(alice->take().at(0).at("messages")), (std::vector<std::int64_t>{a, c}));
  receive(alice, history(general, c));
  EXPECT_EQ(ids_of(alice->take().at(0).at("messages")), (std::vector<std::int64_t>{a}));
}

TEST_F(chat_queries_test, HistoryShowsEditsTombstonesAndMentions) {
  const auto alice = connect(alice_);
  post_many(alice, 2);
  receive(alice, {{"type", "edit"}, {"id", 1}, {"text", "changed, @bob"}});
  receive(alice, {{"type", "delete"}, {"id", 2}});
  settle();
  alice->take();

  receive(alice, history(general));
  const auto& messages = alice->frames.at(0).at("messages");
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].at("text"), "changed, @bob");
  EXPECT_EQ(messages[0].at("edited"), true);
  EXPECT_EQ(messages[0].at("mentions"), json({"bob"}));
  EXPECT_EQ(messages[1].at("text"), "");
  EXPECT_EQ(messages[1].at("deleted"), true);
}

// --- sync ---

TEST_F(chat_queries_test, SyncPagesAtMostAThousandChangesWithHasMoreAndSeq) {
  const auto alice = connect(alice_);
  post_many(alice, 1005);
  ASSERT_EQ(service_->current_seq(), 1005);
  receive(alice, {{"type", "edit"}, {"id", 1}, {"text", "edited late"}});
  settle();
  ASSERT_EQ(service_->current_seq(), 1006);
  alice->take();

  receive(alice, {{"type", "sync"}, {"since", 0}});
  ASSERT_EQ(alice->types(), (types{"sync"}));
  auto page = alice->take().at(0);
  ASSERT_EQ(page.at("messages").size(), 1000u);
  EXPECT_EQ(page.at("has_more"), true);
  // Message 1 moved to seq 1006, so the first page is messages 2..1001 in seq order.
  EXPECT_EQ(ids_of(page.at("messages")), range(2, 1001));
  EXPECT_EQ(page.at("seq"), page.at("messages").back().at("seq"));
  EXPECT_EQ(page.at("seq"), 1001);

  receive(alice, {{"type", "sync"}, {"since", page.at("seq")}});
  page = alice->take().at(0);
  EXPECT_EQ(page.at("has_more"), false);
  EXPECT_EQ(page.at("seq"), 1006);
  const auto& rest = page.at("messages");
  EXPECT_EQ(ids_of(rest), (std::vector<std::int64_t>{1002, 1003, 1004, 1005, 1}));
  EXPECT_EQ(rest.back().at("text"), "edited late");
  EXPECT_EQ(rest.back().at("edited"), true);
  EXPECT_EQ(rest.back().at("seq"), 1006);
}

TEST_F(chat_queries_test, SyncWhenCurrentReturnsNothingAndTheLiveSeq) {
  const auto alice = connect(alice_);
  post_many(alice, 2);
  alice->take();
  receive(alice, {{"type", "sync"}, {"since", 2}});
  EXPECT_EQ(
      alice->take(),
      (std::vector<json>{frame_of(R"({"type":"sync","messages":[],"rooms":[],"removed":[],"seq":2,)"
                                  R"("has_more":false})")}));
}

TEST_F(chat_queries_test, SyncReportsRoomsJoinedAndChangedInItsRange) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  post_many(alice, 1);                                                            // seq 1
  const auto room = create_private(alice, "design");                              // seq 2
  const auto id = post(alice, "before bob", room);                                // seq 3
  receive(alice, {{"type", "add_members"}, {"room", room}, {"users", {"bob"}}});  // seq 4
  settle();
  bob->take();

  receive(bob, {{"type", "sync"}, {"since", 1}});
  const auto page = bob->take().at(0);
  // The room's message is his now that he is a member; the room shows up with its new state.
  EXPECT_EQ(ids_of(page.at("messages")), (std::vector<std::int64_t>{id}));
  ASSERT_EQ(page.at("rooms").size(), 1u);
  EXPECT_EQ(page.at("rooms")[0].at("id"), room);
  EXPECT_EQ(page.at("rooms")[0].at("seq"), 4);
  EXPECT_EQ(page.at("rooms")[0].at("members"), json({"alice", "bob"}));
  EXPECT_EQ(page.at("seq"), 4);

  receive(bob, {{"type", "sync"}, {"since", 4}});
  EXPECT_TRUE(bob->take().at(0).at("rooms").empty());
}

// --- members and seen_by ---

TEST_F(chat_queries_test, MembersListsNamesByPrefixWithWhoIsOnline) {
  const auto alice = connect(alice_);
  create_user("bea");
  create_user("Bert");
  connect(bob_);
  const auto room = create_private(alice, "design", {"bob", "bea", "carol"});
  alice->take();

  receive(alice, {{"type", "members"}, {"room", room}, {"prefix", "B"}});
  EXPECT_EQ(
      alice->take(),
      (std::vector<json>{json{
          {"type", "members"},
          {"room", room},
          {"prefix", "B"},
          {"users", {{{"name", "bea"}, {"online", false}}, {{"name", "bob"}, {"online", true}}}},
          {"has_more", false}}}));
  // An open room lists every user, Bert included; a limit pages.
  receive(alice, {{"type", "members"}, {"room", general}, {"prefix", "b"}, {"limit", 2}});
  const auto page = alice->take().at(0);
  EXPECT_EQ(page.at("users").size(), 2u);
  EXPECT_EQ(page.at("has_more"), true);
  receive(alice, {{"type", "members"}, {"room", general}, {"prefix", "b"}});
  EXPECT_EQ(alice->take().at(0).at("users").size(), 3u);
  receive(alice, {{"type", "members"}, {"room", room}});
  EXPECT_EQ(alice->take().at(0).at("users").size(), 4u);
}

TEST_F(chat_queries_test, SeenByListsOtherMembersWhoseMarkerIsAtOrPastTheMessage) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  const auto carol = connect(carol_);
  const auto first = post(alice, "one");
  const auto second = post(alice, "two");
  receive(bob, {{"type", "seen"}, {"room", general}, {"id", second}});
  receive(carol, {{"type", "seen"}, {"room", general}, {"id", first}});
  receive(alice, {{"type", "seen"}, {"room", general}, {"id", second}});
  settle();
  alice->take();

  receive(alice, {{"type", "seen_by"}, {"room", general}, {"id", first}});
  EXPECT_EQ(alice->take(), (std::vector<json>{json{{"type", "seen_by"},
                                                   {"room", general},
                                                   {"id", first},
                                                   {"users", {"bob", "carol"}},
                                                   {"has_more", false}}}));
  receive(alice, {{"type", "seen_by"}, {"room", general}, {"id", second}});
  EXPECT_EQ(alice->take().at(0).at("users"), json({"bob"}));  // never herself

  receive(alice, {{"type", "seen_by"}, {"room", general}, {"id", 999}});
  const auto error = alice->take().at(0);
  EXPECT_EQ(error.at("code"), "not_found");
  EXPECT_EQ(error.at("ref"), 999);
}

TEST_F(chat_queries_test, SyncReportsANewDmToItsOtherMembers) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  const auto hello_seq = bob->frames.at(0).at("seq").get<std::int64_t>();
  const auto dm = open_dm(alice, {"bob"});
  const auto id = post(alice, "psst", dm);
  receive(bob, {{"type", "sync"}, {"since", hello_seq}});
  const auto page = bob->of_type("sync").at(0);
  EXPECT_EQ(ids_of(page.at("messages")), (std::vector<std::int64_t>{id}));
  ASSERT_EQ(page.at("rooms").size(), 1u);
  EXPECT_EQ(page.at("rooms")[0].at("kind"), "dm");
  EXPECT_EQ(page.at("rooms")[0].at("id"), dm);
  const auto carol = connect(carol_);
  carol->take();
  receive(carol, {{"type", "sync"}, {"since", hello_seq}});
  const auto other = carol->take().at(0);
  EXPECT_TRUE(other.at("messages").empty());
  EXPECT_TRUE(other.at("rooms").empty());
  EXPECT_EQ(other.at("seq"), service_->current_seq());
}

TEST_F(chat_queries_test, SyncStopsAfterLookingAtTwentyThousandChangesOfOthersRooms) {
  const auto alice = connect(alice_);
  const auto carol = connect(carol_);
  const auto room = create_private(alice, "busy");
  const auto start = service_->current_seq();
  post_many(alice, 20'500, room);
  const auto visible = post(alice, "for everyone");
  carol->take();

  receive(carol, {{"type", "sync"}, {"since", start}});
  auto page = carol->take().at(0);
  EXPECT_TRUE(page.at("messages").empty());
  EXPECT_EQ(page.at("has_more"), true);
  EXPECT_EQ(page.at("seq"), start + 20'000);  // it still moves forward
  receive(carol, {{"type", "sync"}, {"since", page.at("seq")}});
  page = carol->take().at(0);
  EXPECT_EQ(page.at("has_more"), false);
  EXPECT_EQ(ids_of(page.at("messages")), (std::vector<std::int64_t>{visible}));
  EXPECT_EQ(page.at("seq"), service_->current_seq());
}

// --- a protocol 1 database, upgraded in place ---

class chat_upgrade_test : public temp_dir_test {};

TEST_F(chat_upgrade_test, AProtocolOneDatabaseIsServedAsGeneral) {
  const auto path = file("v1.db");
  {
    SQLite::Database v1(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    const std::vector<migration> first_two(migrations().begin(), migrations().begin() + 2);
    ASSERT_EQ(apply_migrations(v1, first_two), 2);
    v1.exec(
        "INSERT INTO users (id, username, password_hash, created_at) VALUES "
        "(1, 'alice', 'h', 0), (2, 'bob', 'h', 0)");
    v1.exec(
        "INSERT INTO messages (id, seq, user_id, client_id, text, ts) VALUES "
        "(1, 1, 1, 'a', 'one', 1), (2, 2, 2, 'b', 'two', 2), (3, 3, 2, 'c', 'three', 3)");
    v1.exec("INSERT INTO read_markers (user_id, message_id) VALUES (1, 2), (2, 3)");
  }
  boost::asio::io_context io;
  connection_manager connections;
  database db(path, sync_mode::normal);
  message_repository messages(db.handle());
  room_repository rooms(db.handle());
  mention_repository mentions(db.handle());
  reaction_repository reactions(db.handle());
  user_repository users(db.handle());
  write_batcher writes(io, db.handle(), {});
  chat_service chat(io, {messages, rooms, mentions, reactions, users, writes, db.handle()}, connections,
                    generous_chat_limits());
  EXPECT_EQ(chat.current_seq(), 3);
  const auto alice = std::make_shared<fake_peer>(peer_identity{1, "alice", "t"});
  chat.connect(alice);
  const auto& hello = alice->frames.at(0);
  EXPECT_EQ(hello.at("seq"), 3);
  ASSERT_EQ(hello.at("rooms").size(), 1u);
  const auto& general = hello.at("rooms")[0];
  EXPECT_EQ(general.at("id"), 1);
  EXPECT_EQ(general.at("name"), "general");
  EXPECT_EQ(general.at("last_id"), 3);
  EXPECT_EQ(general.at("marker"), 2);
  EXPECT_EQ(general.at("unread"), 1);
  EXPECT_EQ(general.at("others_read"), 3);  // bob's marker
  chat.receive(alice, R"({"type":"history","room":1})");
  EXPECT_EQ(ids_of(alice->frames.at(1).at("messages")), range(1, 3));
  chat.disconnect(*alice);
  chat.stop();
}

}  // namespace
}  // namespace chatterbox
