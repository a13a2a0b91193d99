#include "chatterbox/chat/chat_service.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chatterbox {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

// Records every frame (parsed back to JSON) and close call.
class fake_peer : public chat_peer {
 public:
  explicit fake_peer(peer_identity identity) : identity_(std::move(identity)) {}

  const peer_identity& identity() const override { return identity_; }
  void deliver(const frame_ptr& frame) override {
    frames.push_back(json::parse(*frame));
    sizes.push_back(frame->size());
  }
  void close(std::uint16_t code, std::string_view reason) override {
    closes.emplace_back(code, std::string(reason));
  }

  std::vector<std::string> types() const {
    std::vector<std::string> out;
    for (const auto& frame : frames) out.push_back(frame.at("type").get<std::string>());
    return out;
  }
  // The frames received since the last take(), then forgets them.
  std::vector<json> take() {
    sizes.clear();
    return std::exchange(frames, {});
  }

  std::vector<json> frames;
  std::vector<std::size_t> sizes;  // of each frame as sent, in bytes
  std::vector<std::pair<std::uint16_t, std::string>> closes;

 private:
  peer_identity identity_;
};

using types = std::vector<std::string>;

class chat_service_test : public test_support::temp_db_test {
 protected:
  void SetUp() override {
    temp_db_test::SetUp();
    alice_ = add_user("alice");
    bob_ = add_user("bob");
    carol_ = add_user("carol");
  }
  void TearDown() override {
    for (const auto& peer : peers_) service_->disconnect(*peer);
    temp_db_test::TearDown();
  }

  void attach() override {
    messages_.emplace(handle());
    markers_.emplace(handle());
    writes_.emplace(io_, handle(), write_limits_);
    service_.emplace(io_, chat_storage{*messages_, *markers_, *writes_}, connections_, limits_);
  }
  void detach() override {
    service_->stop();
    service_.reset();
    writes_.reset();
    markers_.reset();
    messages_.reset();
  }

  // Rebuilds the service and its write batcher with other limits (the database stays). Only
  // before anyone connects: the connections belong to the service they joined.
  void reconfigure(chat_limits limits, write_batcher::limits write_limits = {}) {
    ASSERT_TRUE(peers_.empty());
    limits_ = limits;
    write_limits_ = write_limits;
    reopen();
  }

  std::shared_ptr<fake_peer> make_peer(std::int64_t user_id, std::string_view token = "tok") {
    const char* name = user_id == alice_ ? "alice" : user_id == bob_ ? "bob" : "carol";
    return std::make_shared<fake_peer>(peer_identity{user_id, name, std::string(token)});
  }

  // A connected peer that stays alive (and connected) until the end of the test.
  std::shared_ptr<fake_peer> connect(std::int64_t user_id) {
    auto peer = make_peer(user_id);
    service_->connect(peer);
    peers_.push_back(peer);
    return peer;
  }

  void receive(const std::shared_ptr<fake_peer>& peer, const json& frame) {
    service_->receive(peer, frame.dump());
  }

  // Runs every ready handler (group commits and their continuations) without waiting for
  // typing timers.
  void settle() {
    io_.restart();
    while (io_.poll() > 0) {
    }
  }

  // Runs the loop (timers included: the batcher retries a locked database on one) until
  // `done` holds or a bound passes.
  template <class Done>
  void run_until(Done done, std::chrono::milliseconds bound = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    io_.restart();
    while (!done() && std::chrono::steady_clock::now() < deadline) io_.run_one_for(10ms);
  }

  static json send(const std::string& client_id, const std::string& text) {
    return {{"type", "send"}, {"client_id", client_id}, {"text", text}};
  }

  // Posts `count` messages ("message 1".. with client ids "m1"..) from `peer` in one batch.
  void post_many(const std::shared_ptr<fake_peer>& peer, int count) {
    for (int i = 1; i <= count; ++i) {
      receive(peer, {{"type", "send"},
                     {"client_id", "m" + std::to_string(i)},
                     {"text", "message " + std::to_string(i)}});
    }
    settle();
  }

  void forget_frames() {
    for (const auto& peer : peers_) peer->take();
  }

  static constexpr std::chrono::milliseconds typing_timeout{50};
  // Limits far above anything these tests send; rate limiting has its own tests.
  static chat_limits generous_limits() {
    return chat_limits{typing_timeout, 100000, 100000, 100000, 100000};
  }

  boost::asio::io_context io_;
  connection_manager connections_;
  std::optional<message_repository> messages_;
  std::optional<read_marker_repository> markers_;
  std::optional<write_batcher> writes_;
  std::optional<chat_service> service_;
  chat_limits limits_ = generous_limits();
  write_batcher::limits write_limits_;
  std::vector<std::shared_ptr<fake_peer>> peers_;
  std::int64_t alice_ = 0;
  std::int64_t bob_ = 0;
  std::int64_t carol_ = 0;
};

json frame_of(std::string_view text) { return json::parse(text); }

// The frames other than `leave` (whose timing relative to the rest is not what a test checks).
std::vector<json> without_leaves(std::vector<json> frames) {
  std::erase_if(frames, [](const json& frame) { return frame.at("type") == "leave"; });
  return frames;
}

std::vector<std::int64_t> ids_of(const json& messages) {
  std::vector<std::int64_t> ids;
  for (const auto& m : messages) ids.push_back(m.at("id").get<std::int64_t>());
  return ids;
}

std::vector<std::int64_t> range(std::int64_t first, std::int64_t last) {
  std::vector<std::int64_t> out;
  for (auto i = first; i <= last; ++i) out.push_back(i);
  return out;
}

// --- connect / disconnect ---

TEST_F(chat_service_test, ConnectSendsHelloHistoryPresenceReceiptsInOrder) {
  const auto alice = connect(alice_);
  ASSERT_EQ(alice->types(), (types{"hello", "history", "presence", "receipts"}));
  EXPECT_EQ(alice->frames[0], frame_of(R"({"type":"hello","user":"alice","seq":0,"protocol":1})"));
  EXPECT_EQ(alice->frames[1],
            frame_of(R"({"type":"history","before":null,"messages":[],"has_more":false})"));
  EXPECT_EQ(alice->frames[2], frame_of(R"({"type":"presence","users":["alice"]})"));
  EXPECT_EQ(alice->frames[3], frame_of(R"({"type":"receipts","markers":{}})"));
}

TEST_F(chat_service_test, JoinGoesToOthersOnlyOnTheFirstTab) {
  const auto alice = connect(alice_);
  alice->take();

  const auto bob1 = connect(bob_);
  EXPECT_EQ(bob1->types(), (types{"hello", "history", "presence", "receipts"}));  // no own join
  EXPECT_EQ(bob1->frames[2].at("users"), json({"alice", "bob"}));
  EXPECT_EQ(alice->take(), (std::vector<json>{frame_of(R"({"type":"join","user":"bob"})")}));
  bob1->take();

  const auto bob2 = connect(bob_);
  EXPECT_EQ(bob2->types(), (types{"hello", "history", "presence", "receipts"}));
  EXPECT_EQ(bob2->frames[2].at("users"), json({"alice", "bob"}));  // two tabs, one user
  EXPECT_TRUE(alice->frames.empty());                              // bob was already online
  EXPECT_TRUE(bob1->frames.empty());
}

TEST_F(chat_service_test, LeaveOnlyWhenTheLastTabCloses) {
  const auto alice = connect(alice_);
  auto bob1 = make_peer(bob_);
  auto bob2 = make_peer(bob_);
  service_->connect(bob1);
  service_->connect(bob2);
  alice->take();

  service_->disconnect(*bob1);
  settle();
  EXPECT_TRUE(alice->frames.empty());
  bob2->take();
  service_->disconnect(*bob2);
  EXPECT_TRUE(alice->frames.empty());  // announced from a timer, never inside the disconnect
  settle();
  EXPECT_EQ(alice->take(), (std::vector<json>{frame_of(R"({"type":"leave","user":"bob"})")}));
  EXPECT_TRUE(bob2->frames.empty());

  service_->disconnect(*bob2);  // idempotent
  settle();
  EXPECT_TRUE(alice->frames.empty());
  EXPECT_EQ(connections_.online_users(), (std::vector<std::string>{"alice"}));
}

TEST_F(chat_service_test, HelloCarriesTheCurrentSeqAndReceiptsTheMarkers) {
  const auto alice = connect(alice_);
  post_many(alice, 3);
  receive(alice, {{"type", "seen"}, {"id", 2}});
  settle();

  const auto bob = connect(bob_);
  EXPECT_EQ(bob->frames.at(0).at("seq"), 3);
  EXPECT_EQ(bob->frames.at(3), frame_of(R"({"type":"receipts","markers":{"alice":2}})"));
  EXPECT_EQ(ids_of(bob->frames.at(1).at("messages")), range(1, 3));
}

// --- send ---

TEST_F(chat_service_test, SendAcksTheSenderThenBroadcastsTheMessage) {
  const auto alice = connect(alice_);
  const auto alice_tab2 = connect(alice_);
  const auto bob = connect(bob_);
  forget_frames();

  receive(alice, send("c-1", "  hi\nthere  "));
  // Committed before anything is sent.
  EXPECT_TRUE(alice->frames.empty());
  EXPECT_TRUE(bob->frames.empty());
  settle();

  ASSERT_EQ(alice->types(), (types{"ack", "message"}));
  const auto& ack = alice->frames[0];
  const auto& message = alice->frames[1];
  EXPECT_EQ(ack.at("client_id"), "c-1");
  EXPECT_EQ(ack.at("id"), message.at("id"));
  EXPECT_EQ(ack.at("ts"), message.at("ts"));
  EXPECT_EQ(message.at("user"), "alice");
  EXPECT_EQ(message.at("text"), "hi\nthere");  // trimmed
  EXPECT_EQ(message.at("seq"), 1);
  EXPECT_EQ(message.at("edited"), false);
  EXPECT_EQ(message.at("deleted"), false);

  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  EXPECT_NEAR(static_cast<double>(message.at("ts").get<std::int64_t>()), static_cast<double>(now),
              60'000.0);

  // Other tabs of the sender and other users get the message only.
  EXPECT_EQ(alice_tab2->frames, (std::vector<json>{message}));
  EXPECT_EQ(bob->frames, (std::vector<json>{message}));
  EXPECT_EQ(service_->current_seq(), 1);

  // And it is really stored.
  const auto stored = messages_->find(message.at("id").get<std::int64_t>());
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->text, "hi\nthere");
}

TEST_F(chat_service_test, DuplicateClientIdGetsTheSameAckAndNoSecondMessage) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  forget_frames();

  receive(alice, send("c-1", "hi"));
  settle();
  const auto first_ack = alice->frames.at(0);
  forget_frames();

  receive(alice, send("c-1", "hi again"));
  settle();
  EXPECT_EQ(alice->frames, (std::vector<json>{first_ack}));
  EXPECT_TRUE(bob->frames.empty());
  EXPECT_EQ(service_->current_seq(), 1);
  EXPECT_EQ(messages_->page_before(std::nullopt, 10).size(), 1u);
}

TEST_F(chat_service_test, DuplicateClientIdWithinOneBatchStoresOnce) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  forget_frames();

  receive(alice, send("c-1", "hi"));
  receive(alice, send("c-1", "hi"));
  settle();
  ASSERT_EQ(alice->types(), (types{"ack", "message", "ack"}));
  EXPECT_EQ(alice->frames[0], alice->frames[2]);
  EXPECT_EQ(bob->types(), (types{"message"}));
}

TEST_F(chat_service_test, ClientIdsArePerUser) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  forget_frames();
  receive(alice, send("same", "from alice"));
  receive(bob, send("same", "from bob"));
  settle();
  EXPECT_EQ(alice->types(), (types{"ack", "message", "message"}));
  EXPECT_EQ(bob->types(), (types{"message", "ack", "message"}));
  EXPECT_NE(alice->frames[0].at("id"), bob->frames[1].at("id"));
}

TEST_F(chat_service_test, InvalidFramesAreAnsweredWithAnErrorToTheSenderOnly) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  forget_frames();

  service_->receive(alice, "not json");
  receive(alice, send("c-7", "   "));
  receive(alice, {{"type", "dance"}});
  settle();
  ASSERT_EQ(alice->types(), (types{"error", "error", "error"}));
  EXPECT_EQ(alice->frames[0].at("code"), "invalid_json");
  EXPECT_TRUE(alice->frames[0].at("ref").is_null());
  EXPECT_EQ(alice->frames[1].at("code"), "text_empty");
  EXPECT_EQ(alice->frames[1].at("ref"), "c-7");
  EXPECT_EQ(alice->frames[2].at("code"), "unknown_type");
  EXPECT_TRUE(bob->frames.empty());
  EXPECT_EQ(service_->current_seq(), 0);
}

TEST_F(chat_service_test, ControlCharactersAreRefusedAndWindowsLineBreaksStoredAsNewlines) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  forget_frames();

  receive(alice, send("c-8", "ring\a"));
  settle();
  ASSERT_EQ(alice->types(), (types{"error"}));
  EXPECT_EQ(alice->frames[0].at("code"), "invalid_field");
  EXPECT_EQ(alice->frames[0].at("ref"), "c-8");
  EXPECT_TRUE(bob->frames.empty());
  EXPECT_EQ(service_->current_seq(), 0);

  forget_frames();
  receive(alice, send("c-9", "line 1\r\nline 2\r"));
  settle();
  ASSERT_EQ(bob->types(), (types{"message"}));
  EXPECT_EQ(bob->frames[0].at("text"), "line 1\nline 2");
}

// --- edit / delete ---

TEST_F(chat_service_test, AuthorEditsAndEveryoneIsTold) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  post_many(alice, 1);
  forget_frames();

  receive(alice, {{"type", "edit"}, {"id", 1}, {"text", " fixed "}});
  settle();
  const auto expected = frame_of(R"({"type":"edited","id":1,"seq":2,"text":"fixed"})");
  EXPECT_EQ(alice->frames, (std::vector<json>{expected}));
  EXPECT_EQ(bob->frames, (std::vector<json>{expected}));
  EXPECT_EQ(messages_->find(1)->text, "fixed");
  EXPECT_TRUE(messages_->find(1)->edited);
}

TEST_F(chat_service_test, EditOrDeleteByNonAuthorIsForbidden) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  post_many(alice, 1);
  forget_frames();

  receive(bob, {{"type", "edit"}, {"id", 1}, {"text", "hacked"}});
  receive(bob, {{"type", "delete"}, {"id", 1}});
  settle();
  ASSERT_EQ(bob->types(), (types{"error", "error"}));
  for (const auto& error : bob->frames) {
    EXPECT_EQ(error.at("code"), "forbidden");
    EXPECT_EQ(error.at("ref"), 1);
  }
  EXPECT_TRUE(alice->frames.empty());
  EXPECT_EQ(messages_->find(1)->text, "message 1");
  EXPECT_FALSE(messages_->find(1)->deleted);
  EXPECT_EQ(service_->current_seq(), 1);
}

TEST_F(chat_service_test, DeleteLeavesATombstoneThatCannotBeEditedOrDeletedAgain) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  post_many(alice, 1);
  forget_frames();

  receive(alice, {{"type", "delete"}, {"id", 1}});
  settle();
  const auto expected = frame_of(R"({"type":"deleted","id":1,"seq":2})");
  EXPECT_EQ(alice->take(), (std::vector<json>{expected}));
  EXPECT_EQ(bob->take(), (std::vector<json>{expected}));

  receive(alice, {{"type", "edit"}, {"id", 1}, {"text", "back"}});
  receive(alice, {{"type", "delete"}, {"id", 1}});
  settle();
  ASSERT_EQ(alice->types(), (types{"error", "error"}));
  EXPECT_EQ(alice->frames[0].at("code"), "forbidden");
  EXPECT_EQ(alice->frames[1].at("code"), "forbidden");
  EXPECT_TRUE(bob->frames.empty());
  const auto tombstone = messages_->find(1);
  EXPECT_TRUE(tombstone->deleted);
  EXPECT_EQ(tombstone->text, "");
}

TEST_F(chat_service_test, EditOrDeleteOfUnknownIdIsNotFound) {
  const auto alice = connect(alice_);
  forget_frames();
  receive(alice, {{"type", "edit"}, {"id", 99}, {"text", "x"}});
  receive(alice, {{"type", "delete"}, {"id", 98}});
  settle();
  ASSERT_EQ(alice->types(), (types{"error", "error"}));
  EXPECT_EQ(alice->frames[0].at("code"), "not_found");
  EXPECT_EQ(alice->frames[0].at("ref"), 99);
  EXPECT_EQ(alice->frames[1].at("code"), "not_found");
  EXPECT_EQ(alice->frames[1].at("ref"), 98);
}

// --- typing ---

TEST_F(chat_service_test, TypingGoesToEveryTabOfOtherUsersOnly) {
  const auto alice = connect(alice_);
  const auto alice_tab2 = connect(alice_);
  const auto bob1 = connect(bob_);
  const auto bob2 = connect(bob_);
  forget_frames();

  receive(alice, {{"type", "typing"}, {"active", true}});
  const auto expected = frame_of(R"({"type":"typing","user":"alice","active":true})");
  EXPECT_EQ(bob1->frames, (std::vector<json>{expected}));
  EXPECT_EQ(bob2->frames, (std::vector<json>{expected}));
  EXPECT_TRUE(alice->frames.empty());
  EXPECT_TRUE(alice_tab2->frames.empty());
}

TEST_F(chat_service_test, SendingEndsTheSendersTypingBeforeTheMessage) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  receive(alice, {{"type", "typing"}, {"active", true}});
  forget_frames();

  receive(alice, send("c-1", "done typing"));
  settle();
  ASSERT_EQ(bob->types(), (types{"typing", "message"}));
  EXPECT_EQ(bob->frames[0], frame_of(R"({"type":"typing","user":"alice","active":false})"));
  EXPECT_EQ(alice->types(), (types{"ack", "message"}));
}

TEST_F(chat_service_test, ClosingTheTypingTabEndsTyping) {
  const auto bob = connect(bob_);
  auto alice = make_peer(alice_);
  service_->connect(alice);
  receive(alice, {{"type", "typing"}, {"active", true}});
  bob->take();

  service_->disconnect(*alice);
  settle();
  EXPECT_EQ(bob->take(),
            (std::vector<json>{frame_of(R"({"type":"typing","user":"alice","active":false})"),
                               frame_of(R"({"type":"leave","user":"alice"})")}));
}

TEST_F(chat_service_test, TypingExpiresWithoutRefresh) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  receive(alice, {{"type", "typing"}, {"active", true}});
  forget_frames();

  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (bob->frames.empty() && std::chrono::steady_clock::now() < deadline) {
    io_.restart();
    io_.run_for(5ms);
  }
  EXPECT_EQ(bob->frames,
            (std::vector<json>{frame_of(R"({"type":"typing","user":"alice","active":false})")}));
}

// --- seen ---

TEST_F(chat_service_test, SeenIsBroadcastOnlyWhenTheMarkerMoves) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  post_many(alice, 3);
  forget_frames();

  receive(bob, {{"type", "seen"}, {"id", 2}});
  settle();
  const auto expected = frame_of(R"({"type":"seen","user":"bob","id":2})");
  EXPECT_EQ(alice->take(), (std::vector<json>{expected}));
  EXPECT_EQ(bob->take(), (std::vector<json>{expected}));

  receive(bob, {{"type", "seen"}, {"id", 2}});  // same
  receive(bob, {{"type", "seen"}, {"id", 1}});  // backwards
  settle();
  EXPECT_TRUE(alice->frames.empty());
  EXPECT_TRUE(bob->frames.empty());
  EXPECT_EQ(markers_->all_markers(), (std::map<std::string, std::int64_t>{{"bob", 2}}));

  receive(bob, {{"type", "seen"}, {"id", 3}});
  settle();
  EXPECT_EQ(alice->take(), (std::vector<json>{frame_of(R"({"type":"seen","user":"bob","id":3})")}));
}

TEST_F(chat_service_test, SeenOfUnknownMessageIsNotFound) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  post_many(alice, 1);
  forget_frames();

  receive(bob, {{"type", "seen"}, {"id", 50}});
  settle();
  ASSERT_EQ(bob->types(), (types{"error"}));
  EXPECT_EQ(bob->frames[0].at("code"), "not_found");
  EXPECT_EQ(bob->frames[0].at("ref"), 50);
  EXPECT_TRUE(alice->frames.empty());
  EXPECT_TRUE(markers_->all_markers().empty());
}

// --- history ---

TEST_F(chat_service_test, HistoryPagesBackwardsWithHasMore) {
  const auto alice = connect(alice_);
  post_many(alice, 55);
  alice->take();

  const auto bob = connect(bob_);
  const auto& initial = bob->frames.at(1);
  EXPECT_EQ(ids_of(initial.at("messages")), range(6, 55));  // latest 50, oldest first
  EXPECT_EQ(initial.at("has_more"), true);
  bob->take();

  receive(bob, {{"type", "history"}, {"before", 6}, {"limit", 3}});
  ASSERT_EQ(bob->types(), (types{"history"}));
  EXPECT_EQ(bob->frames[0].at("before"), 6);
  EXPECT_EQ(ids_of(bob->frames[0].at("messages")), range(3, 5));
  EXPECT_EQ(bob->frames[0].at("has_more"), true);
  bob->take();

  receive(bob, {{"type", "history"}, {"before", 3}, {"limit", 50}});
  EXPECT_EQ(ids_of(bob->frames.at(0).at("messages")), range(1, 2));
  EXPECT_EQ(bob->frames[0].at("has_more"), false);
  bob->take();

  receive(bob, {{"type", "history"}, {"before", 6}, {"limit", 5}});  // exactly the rest
  EXPECT_EQ(ids_of(bob->frames.at(0).at("messages")), range(1, 5));
  EXPECT_EQ(bob->frames[0].at("has_more"), false);
  bob->take();

  receive(bob, {{"type", "history"}});  // latest page, default limit
  EXPECT_TRUE(bob->frames.at(0).at("before").is_null());
  EXPECT_EQ(ids_of(bob->frames[0].at("messages")), range(6, 55));
  EXPECT_EQ(bob->frames[0].at("has_more"), true);
  EXPECT_EQ(alice->types(), (types{"join"}));  // bob's history requests are answered to bob only
}

TEST_F(chat_service_test, HistoryShowsEditsAndTombstones) {
  const auto alice = connect(alice_);
  post_many(alice, 2);
  receive(alice, {{"type", "edit"}, {"id", 1}, {"text", "changed"}});
  receive(alice, {{"type", "delete"}, {"id", 2}});
  settle();
  alice->take();

  receive(alice, {{"type", "history"}});
  const auto& messages = alice->frames.at(0).at("messages");
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].at("text"), "changed");
  EXPECT_EQ(messages[0].at("edited"), true);
  EXPECT_EQ(messages[1].at("text"), "");
  EXPECT_EQ(messages[1].at("deleted"), true);
}

// --- sync ---

TEST_F(chat_service_test, SyncPagesAtMostAThousandChangesWithHasMoreAndSeq) {
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

TEST_F(chat_service_test, SyncWhenCurrentReturnsNothingAndTheLiveSeq) {
  const auto alice = connect(alice_);
  post_many(alice, 2);
  alice->take();
  receive(alice, {{"type", "sync"}, {"since", 2}});
  EXPECT_EQ(
      alice->take(),
      (std::vector<json>{frame_of(R"({"type":"sync","messages":[],"seq":2,"has_more":false})")}));
}

// --- replies budgeted in bytes (issue 9) ---

// A message text of `chars` code points, each `glyph` (4000 is the most a message may hold).
std::string long_text(std::size_t chars, std::string_view glyph = "x") {
  std::string text;
  for (std::size_t i = 0; i < chars; ++i) text += glyph;
  return text;
}

TEST_F(chat_service_test, HistoryPagesStopAtTheReplyBudgetAndKeepTheNewest) {
  constexpr std::size_t budget = 20 * 1024;  // about four 4000-character messages
  auto limits = generous_limits();
  limits.reply_bytes = budget;
  reconfigure(limits);
  const auto alice = connect(alice_);
  for (int i = 1; i <= 12; ++i) receive(alice, send("m" + std::to_string(i), long_text(4000)));
  settle();
  ASSERT_EQ(service_->current_seq(), 12);

  const auto bob = connect(bob_);
  ASSERT_EQ(bob->types(), (types{"hello", "history", "presence", "receipts"}));
  for (const auto size : bob->sizes) EXPECT_LE(size, budget);
  const auto& initial = bob->frames[1];
  auto seen = ids_of(initial.at("messages"));
  ASSERT_FALSE(seen.empty());
  EXPECT_LT(seen.size(), 12u);
  EXPECT_EQ(seen, range(seen.front(), 12));  // the newest ones
  EXPECT_EQ(initial.at("has_more"), true);
  bob->take();

  // Paging back as a client does (before its oldest message) reaches every message once.
  for (int page = 0; page < 12 && seen.front() > 1; ++page) {
    const auto before = seen.front();
    receive(bob, {{"type", "history"}, {"before", before}, {"limit", 50}});
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
  receive(bob, {{"type", "history"}, {"before", 12}, {"limit", 2}});
  EXPECT_EQ(ids_of(bob->take().at(0).at("messages")), range(10, 11));
}

TEST_F(chat_service_test, SyncPagesStopAtTheReplyBudgetAndCoverEveryChangeOnce) {
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

TEST_F(chat_service_test, AMessageLargerThanTheReplyBudgetIsSentAlone) {
  auto limits = generous_limits();
  limits.reply_bytes = 8 * 1024;  // smaller than one message of 4000 four-byte characters
  reconfigure(limits);
  const auto alice = connect(alice_);
  const auto huge = long_text(4000, "\xF0\x9F\x98\x80");  // 16000 bytes
  for (int i = 1; i <= 3; ++i) receive(alice, send("m" + std::to_string(i), huge));
  settle();
  ASSERT_EQ(service_->current_seq(), 3);

  const auto bob = connect(bob_);
  EXPECT_EQ(ids_of(bob->frames.at(1).at("messages")), (std::vector<std::int64_t>{3}));
  EXPECT_EQ(bob->frames[1].at("has_more"), true);
  EXPECT_EQ(bob->frames[1].at("messages")[0].at("text"), huge);
  bob->take();

  receive(bob, {{"type", "history"}, {"before", 3}});
  auto page = bob->take().at(0);
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

TEST_F(chat_service_test, ReceiptsOnConnectKeepTheHighestMarkersWhenOverBudget) {
  constexpr std::size_t budget = 1024;
  auto limits = generous_limits();
  limits.reply_bytes = budget;
  reconfigure(limits);
  // 40 readers whose names alone are more than the budget; reader i has seen message 100 + i.
  constexpr int readers = 40;
  for (int i = 0; i < readers; ++i) {
    const auto name = "a-reader-with-a-rather-long-name-" + std::to_string(i);
    ASSERT_TRUE(markers_->advance(add_user(name), 100 + i));
  }

  const auto alice = connect(alice_);
  ASSERT_EQ(alice->types(), (types{"hello", "history", "presence", "receipts"}));
  EXPECT_LE(alice->sizes.at(3), budget);
  std::vector<std::int64_t> kept;
  for (const auto& [name, id] : alice->frames[3].at("markers").items()) {
    EXPECT_EQ(name, "a-reader-with-a-rather-long-name-" + std::to_string(id.get<int>() - 100));
    kept.push_back(id.get<std::int64_t>());
  }
  ASSERT_FALSE(kept.empty());
  EXPECT_LT(kept.size(), static_cast<std::size_t>(readers));
  std::sort(kept.begin(), kept.end());
  // The newest markers (those that mark messages on screen as seen) are the ones kept.
  EXPECT_EQ(kept, range(100 + readers - static_cast<std::int64_t>(kept.size()), 100 + readers - 1));
}

// --- history and sync rate (issue 9) ---

TEST_F(chat_service_test, HistoryAndSyncOverTheQueryRateAreRefusedWithRetryAfter) {
  auto limits = generous_limits();
  limits.query_rate = 1;
  limits.query_burst = 2;
  reconfigure(limits);
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  forget_frames();

  // Far more than the burst, in far less time than a token takes to come back.
  for (int i = 0; i < 10; ++i) {
    if (i % 2 == 0) {
      receive(alice, {{"type", "history"}});
    } else {
      receive(alice, {{"type", "sync"}, {"since", 0}});
    }
  }
  const auto frames = alice->take();
  ASSERT_EQ(frames.size(), 10u);  // every request is answered, one way or the other
  EXPECT_EQ(frames[0].at("type"), "history");
  EXPECT_EQ(frames[1].at("type"), "sync");
  std::size_t history_refused = 0;
  std::size_t sync_refused = 0;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const auto& frame = frames[i];
    if (frame.at("type") != "error") continue;
    ++(i % 2 == 0 ? history_refused : sync_refused);
    EXPECT_EQ(frame.at("code"), "rate_limited");
    EXPECT_TRUE(frame.at("ref").is_null());  // history and sync carry no id to refer to
    EXPECT_GT(frame.at("retry_after_ms").get<std::int64_t>(), 0);
    EXPECT_LE(frame.at("retry_after_ms").get<std::int64_t>(), 1000);  // one token a second
  }
  // Both kinds of request draw on the one budget, and both are refused beyond it.
  EXPECT_GE(history_refused, 1u);
  EXPECT_GE(sync_refused, 1u);
  EXPECT_TRUE(bob->frames.empty());

  // Others have their own budget, and sending is not a query.
  receive(bob, {{"type", "history"}});
  EXPECT_EQ(bob->take().at(0).at("type"), "history");
  receive(alice, send("c-1", "still allowed"));
  settle();
  EXPECT_EQ(alice->types(), (types{"ack", "message"}));
}

// --- a seq is reported only once its change is committed (issue 9) ---

TEST_F(chat_service_test, ASendRefusedBecauseTheDatabaseIsLockedMovesNoSeq) {
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

TEST_F(chat_service_test, ASendInABatchThatIsRolledBackLeavesAGapNotAReportedSeq) {
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
      (std::vector<json>{frame_of(R"({"type":"sync","messages":[],"seq":2,"has_more":false})")}));

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

// --- a database that cannot be read (issue 9) ---

TEST_F(chat_service_test, ConnectWhenTheDatabaseCannotBeReadClosesWith1013) {
  const auto bob = connect(bob_);
  post_many(bob, 1);
  bob->take();
  // The first page or the receipts cannot be read: the table is gone (renamed by an operator,
  // which is the one read failure SQLite can be made to produce on demand).
  for (const char* name : {"messages", "read_markers"}) {
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
    settle();
    EXPECT_TRUE(bob->frames.empty()) << table;  // neither a join nor a leave
    other.exec("ALTER TABLE " + table + "_away RENAME TO " + table);
  }

  const auto alice = connect(alice_);
  EXPECT_EQ(alice->types(), (types{"hello", "history", "presence", "receipts"}));
  EXPECT_TRUE(alice->closes.empty());
  EXPECT_EQ(bob->types(), (types{"join"}));
}

// --- lifetime ---

TEST_F(chat_service_test, PeerGoneBeforeItsCommitCompletesIsSkipped) {
  const auto bob = connect(bob_);
  auto alice = make_peer(alice_);
  service_->connect(alice);
  receive(alice, send("c-1", "last words"));
  service_->disconnect(*alice);
  std::weak_ptr<fake_peer> gone = alice;
  alice.reset();  // the session is destroyed before the batch commits
  ASSERT_TRUE(gone.expired());
  bob->take();

  ASSERT_NO_THROW(settle());
  // The message was still stored and delivered to those still connected; the ack was dropped.
  const auto frames = without_leaves(bob->take());
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].at("type"), "message");
  EXPECT_EQ(frames[0].at("text"), "last words");
  EXPECT_EQ(messages_->page_before(std::nullopt, 10).size(), 1u);
}

TEST_F(chat_service_test, PeerGoneBeforeEditOrSeenCommitsIsSkipped) {
  const auto bob = connect(bob_);
  auto alice = make_peer(alice_);
  service_->connect(alice);
  post_many(alice, 1);
  receive(alice, {{"type", "edit"}, {"id", 1}, {"text", "edited"}});
  receive(alice, {{"type", "edit"}, {"id", 77}, {"text", "nobody"}});  // error for a gone peer
  receive(alice, {{"type", "seen"}, {"id", 1}});
  service_->disconnect(*alice);
  alice.reset();
  bob->take();

  ASSERT_NO_THROW(settle());
  std::vector<std::string> seen_types;
  for (const auto& frame : without_leaves(bob->take())) seen_types.push_back(frame.at("type"));
  EXPECT_EQ(seen_types, (types{"edited", "seen"}));
}

TEST_F(chat_service_test, StopCancelsTypingTimersSoTheLoopCanFinish) {
  const auto alice = connect(alice_);
  const auto bob = connect(bob_);
  receive(alice, {{"type", "typing"}, {"active", true}});
  service_->stop();
  const auto started = std::chrono::steady_clock::now();
  io_.restart();
  io_.run_for(5s);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
}

}  // namespace
}  // namespace chatterbox
