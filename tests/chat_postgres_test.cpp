// chat_service on the PostgreSQL store: the protocol as clients see it, with every write and
// read going to PostgreSQL (the same service code as on SQLite; chat_*_test.cpp cover it there).

#include "chatterbox/chat/chat_service.hpp"
#include "chatterbox/postgres/pg_batcher.hpp"
#include "chatterbox/store/pg_chat_store.hpp"

#include "support/chat_fixture.hpp"
#include "support/pg_store_fixture.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace chatterbox {
namespace {

using test_support::fake_peer;
using test_support::json;

constexpr std::int64_t pg_alice = 1;
constexpr std::int64_t pg_bob = 2;
constexpr std::int64_t pg_carol = 3;

class chat_postgres_test : public test_support::pg_store_fixture {
 protected:
  void SetUp() override {
    pg_store_fixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    const auto outcome = migrate(*db_);
    ASSERT_TRUE(outcome.version) << outcome.error;
    // Accounts as the server creates them: each a member of every open room.
    ASSERT_TRUE(run(*db_,
                    "INSERT INTO users (username, password_hash, created_at, role) VALUES "
                    "('alice', 'x', 0, 'admin'), ('bob', 'x', 0, 'member'), "
                    "('carol', 'x', 0, 'member')")
                    .ok);
    ASSERT_TRUE(
        run(*db_, "INSERT INTO room_members (room_id, user_id) SELECT 1, id FROM users").ok);
    start_service();
  }
  void TearDown() override {
    for (const auto& peer : peers_) {
      if (service_) service_->disconnect(*peer);
    }
    if (service_) service_->stop();
    service_.reset();
    store_.reset();
    writes_.reset();
    pg_store_fixture::TearDown();
  }

  // A node starting: it loads what it needs from the store, then serves.
  void start_service() {
    writes_.emplace(io_, url_);
    writes_->start();
    rooms_.emplace();
    store_.emplace(*writes_, *rooms_);
    std::optional<chat_snapshot> snapshot;
    store_->load([&](bool read, chat_snapshot& loaded) {
      ASSERT_TRUE(read);
      snapshot = std::move(loaded);
    });
    ASSERT_TRUE(run_until([&] { return snapshot.has_value(); }));
    service_.emplace(io_, *store_, *rooms_, std::move(*snapshot), connections_,
                     test_support::generous_chat_limits());
  }

  std::shared_ptr<fake_peer> connect(std::int64_t user_id) {
    static const char* names[] = {"", "alice", "bob", "carol"};
    auto peer = std::make_shared<fake_peer>(peer_identity{user_id, names[user_id], "tok"});
    service_->connect(peer);
    peers_.push_back(peer);
    EXPECT_TRUE(run_until([&] { return !peer->of_type("hello").empty(); }));
    return peer;
  }

  void receive(const std::shared_ptr<fake_peer>& peer, const json& frame) {
    service_->receive(peer, frame.dump());
  }

  // The first frame of `type` (matching `match`) that `peer` gets from now on.
  json next(const std::shared_ptr<fake_peer>& peer, const std::string& type,
            const std::function<bool(const json&)>& match = nullptr) {
    std::optional<json> found;
    EXPECT_TRUE(run_until([&] {
      for (const auto& frame : peer->frames) {
        if (frame.at("type") == type && (!match || match(frame))) {
          found = frame;
          return true;
        }
      }
      return false;
    })) << "no "
        << type;
    peer->take();
    return found.value_or(json::object());
  }

  static json send(const std::string& client_id, const std::string& text, std::int64_t room = 1) {
    return {{"type", "send"}, {"room", room}, {"client_id", client_id}, {"text", text}};
  }

  connection_manager connections_;
  std::optional<pg_batcher> writes_;
  std::optional<room_directory> rooms_;
  std::optional<pg_chat_store> store_;
  std::optional<chat_service> service_;
  std::vector<std::shared_ptr<fake_peer>> peers_;
};

TEST_F(chat_postgres_test, AMessageIsAckedAndReachesTheRoomAsOnSQLite) {
  auto alice = connect(pg_alice);
  auto bob = connect(pg_bob);
  const auto hello = bob->of_type("hello").at(0);
  EXPECT_EQ(hello.at("seq"), 0);
  EXPECT_EQ(hello.at("rooms").at(0).at("name"), "general");
  alice->take();
  bob->take();

  receive(alice, send("c1", "hello @bob"));
  const auto ack = next(alice, "ack");
  EXPECT_EQ(ack.at("client_id"), "c1");
  const auto event = next(bob, "message");
  EXPECT_EQ(event.at("text"), "hello @bob");
  EXPECT_EQ(event.at("seq"), 1);
  EXPECT_EQ(event.at("mentions"), json::array({"bob"}));

  // A resend is acknowledged again and told to nobody else.
  receive(alice, send("c1", "hello @bob"));
  EXPECT_EQ(next(alice, "ack").at("id"), ack.at("id"));

  // Bob's next hello counts it as unread, with the mention.
  auto bob_again = connect(pg_bob);
  const auto room = bob_again->of_type("hello").at(0).at("rooms").at(0);
  EXPECT_EQ(room.at("unread"), 1);
  EXPECT_EQ(room.at("mentions"), 1);
}

TEST_F(chat_postgres_test, HistoryAndSyncReadWhatWasCommitted) {
  auto alice = connect(pg_alice);
  for (int i = 1; i <= 3; ++i) {
    receive(alice, send("m" + std::to_string(i), "message " + std::to_string(i)));
    next(alice, "ack");
  }
  receive(alice, {{"type", "edit"}, {"id", 2}, {"text", "message two"}});
  EXPECT_EQ(next(alice, "edited").at("seq"), 4);

  receive(alice, {{"type", "history"}, {"room", 1}, {"limit", 2}});
  const auto page = next(alice, "history");
  EXPECT_EQ(test_support::ids_of(page.at("messages")), (std::vector<std::int64_t>{2, 3}));
  EXPECT_TRUE(page.at("has_more").get<bool>());

  receive(alice, {{"type", "sync"}, {"since", 2}});
  const auto sync = next(alice, "sync");
  EXPECT_EQ(test_support::ids_of(sync.at("messages")), (std::vector<std::int64_t>{3, 2}));
  EXPECT_EQ(sync.at("seq"), 4);
  EXPECT_FALSE(sync.at("has_more").get<bool>());
}

TEST_F(chat_postgres_test, APrivateRoomIsSeenByItsMembersOnly) {
  auto alice = connect(pg_alice);
  auto bob = connect(pg_bob);
  auto carol = connect(pg_carol);
  receive(alice, {{"type", "create_room"},
                  {"kind", "private"},
                  {"name", "ops"},
                  {"users", {"bob"}},
                  {"client_id", "r"}});
  const auto room = next(alice, "room").at("room").at("id").get<std::int64_t>();
  next(bob, "room");
  receive(alice, send("secret", "for ops only", room));
  next(alice, "ack");
  EXPECT_EQ(next(bob, "message").at("text"), "for ops only");

  // Carol hears nothing of it, live or when she catches up.
  receive(carol, {{"type", "sync"}, {"since", 0}});
  const auto sync = next(carol, "sync");
  EXPECT_TRUE(sync.at("messages").empty());
  EXPECT_TRUE(sync.at("rooms").empty());
  for (const auto& frame : carol->frames)
    EXPECT_FALSE(frame.dump().find("ops") != std::string::npos);
  receive(carol, {{"type", "history"}, {"room", room}});
  EXPECT_EQ(next(carol, "error").at("code"), "not_found");

  // Removed, bob is told so and his next sync says he left.
  receive(alice, {{"type", "remove_member"}, {"room", room}, {"user", "bob"}});
  EXPECT_EQ(next(bob, "room_removed").at("room"), room);
  receive(bob, {{"type", "sync"}, {"since", 0}});
  EXPECT_EQ(next(bob, "sync").at("removed"), json::array({room}));
}

TEST_F(chat_postgres_test, ANodeStartingAgainContinuesTheSeqs) {
  auto alice = connect(pg_alice);
  receive(alice, send("before", "before the restart"));
  next(alice, "ack");
  service_->disconnect(*alice);
  peers_.clear();
  service_->stop();
  service_.reset();
  store_.reset();
  writes_.reset();
  start_service();

  auto again = connect(pg_alice);
  EXPECT_EQ(again->of_type("hello").at(0).at("seq"), 1);
  again->take();
  receive(again, send("after", "after the restart"));
  EXPECT_EQ(next(again, "message").at("seq"), 2);
}

TEST_F(chat_postgres_test, SearchAndReactionsWorkOnPostgreSQL) {
  auto alice = connect(pg_alice);
  auto bob = connect(pg_bob);
  receive(alice, send("d", "deploying the release"));
  const auto id = next(alice, "ack").at("id").get<std::int64_t>();
  receive(bob, {{"type", "react"}, {"id", id}, {"emoji", "🎉"}, {"on", true}});
  EXPECT_EQ(next(alice, "reaction").at("count"), 1);
  receive(bob, {{"type", "search"}, {"query", "deploy*"}});
  const auto found = next(bob, "search");
  ASSERT_EQ(found.at("results").size(), 1u);
  EXPECT_EQ(found.at("results").at(0).at("id"), id);
}

}  // namespace
}  // namespace chatterbox
