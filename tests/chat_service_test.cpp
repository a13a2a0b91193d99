#include "chatterbox/chat/chat_service.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <boost/asio/io_context.hpp>

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
  void deliver(const frame_ptr& frame) override { frames.push_back(json::parse(*frame)); }
  void close(std::uint16_t code, std::string_view reason) override {
    closes.emplace_back(code, std::string(reason));
  }

  std::vector<std::string> types() const {
    std::vector<std::string> out;
    for (const auto& frame : frames) out.push_back(frame.at("type").get<std::string>());
    return out;
  }
  // The frames received since the last take(), then forgets them.
  std::vector<json> take() { return std::exchange(frames, {}); }

  std::vector<json> frames;
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
    writes_.emplace(io_, handle());
    // Limits far above anything these tests send; rate limiting has its own tests.
    service_.emplace(io_, chat_storage{*messages_, *markers_, *writes_}, connections_,
                     chat_limits{typing_timeout, 100000, 100000, 100000, 100000});
  }
  void detach() override {
    service_->stop();
    service_.reset();
    writes_.reset();
    markers_.reset();
    messages_.reset();
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

  boost::asio::io_context io_;
  connection_manager connections_;
  std::optional<message_repository> messages_;
  std::optional<read_marker_repository> markers_;
  std::optional<write_batcher> writes_;
  std::optional<chat_service> service_;
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
