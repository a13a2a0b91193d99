#pragma once

// The chat store's contract (store/chat_store.hpp): one suite run against both stores, SQLite's
// (one node) and PostgreSQL's (several). Both must answer every write and read the same way —
// the same seqs, the same refusals with the same words — since the protocol code above them is
// one. The cases are in chat_store_writes_test.cpp and chat_store_reads_test.cpp.

#include "chatterbox/chat/room_directory.hpp"
#include "chatterbox/postgres/pg_batcher.hpp"
#include "chatterbox/storage/database.hpp"
#include "chatterbox/store/pg_chat_store.hpp"
#include "chatterbox/store/sqlite_chat_store.hpp"

#include "support/pg_store_fixture.hpp"
#include "support/sqlite_test_db.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatterbox::test_support {

// The same statements on both databases: their tables have the same columns.
constexpr std::string_view store_people_and_rooms[] = {
    "INSERT INTO users (username, password_hash, created_at, role) VALUES "
    "('alice', 'x', 0, 'admin'), ('bob', 'x', 0, 'member'), ('carol', 'x', 0, 'member')",
    "INSERT INTO rooms (kind, name, created_at, creator_id) VALUES ('private', 'ops', 0, 1)",
    "INSERT INTO rooms (kind, name, created_at, creator_id, archived) VALUES "
    "('open', 'old', 0, 1, true)",
    "INSERT INTO room_members (room_id, user_id) VALUES (1, 1), (1, 2), (1, 3), (2, 1), (2, 2), "
    "(3, 1), (3, 2), (3, 3)",
};

// One store under test, with a way to set up rows and look at them.
class store_harness {
 public:
  virtual ~store_harness() = default;
  virtual chat_store& store() = 0;
  virtual void exec(std::string_view sql) = 0;
  // The first column of the first row (nullopt: no row, or NULL).
  virtual std::optional<std::string> value(std::string_view sql) = 0;
};

class sqlite_harness final : public store_harness {
 public:
  sqlite_harness(boost::asio::io_context& io, room_directory& rooms)
      : file_("chatterbox-store"),
        messages_(file_.handle()),
        rooms_(file_.handle()),
        mentions_(file_.handle()),
        reactions_(file_.handle()),
        users_(file_.handle()),
        files_(file_.handle()),
        writes_(io, file_.handle()),
        store_(chat_storage{messages_, rooms_, mentions_, reactions_, users_, writes_,
                            file_.handle(), &files_},
               rooms) {}

  chat_store& store() override { return store_; }
  void exec(std::string_view sql) override { file_.exec(sql); }
  std::optional<std::string> value(std::string_view sql) override { return file_.value(sql); }

 private:
  sqlite_test_db file_;
  message_repository messages_;
  room_repository rooms_;
  mention_repository mentions_;
  reaction_repository reactions_;
  user_repository users_;
  file_repository files_;
  write_batcher writes_;
  sqlite_chat_store store_;
};

class pg_harness final : public store_harness {
 public:
  pg_harness(boost::asio::io_context& io, room_directory& rooms, const std::string& url,
             std::function<pg_result(std::string_view)> run)
      : writes_(io, url), store_(writes_, rooms), rows_(std::move(run)) {
    writes_.start();
  }

  chat_store& store() override { return store_; }
  void exec(std::string_view sql) override { rows_.exec(sql); }
  std::optional<std::string> value(std::string_view sql) override { return rows_.value(sql); }

 private:
  pg_batcher writes_;
  pg_chat_store store_;
  pg_rows rows_;
};

class chat_store_test : public pg_store_fixture, public ::testing::WithParamInterface<const char*> {
 protected:
  static constexpr std::int64_t alice = 1;  // an administrator
  static constexpr std::int64_t bob = 2;
  static constexpr std::int64_t carol = 3;
  static constexpr std::int64_t general = 1;  // open
  static constexpr std::int64_t ops = 2;      // private: alice and bob
  static constexpr std::int64_t old = 3;      // open, archived

  // The same rooms as the node's directory holds them.
  static void load_rooms(room_directory& rooms) {
    rooms.load({{general, "open", "general", "", 0, false, 0},
                {ops, "private", "ops", "", alice, false, 0},
                {old, "open", "old", "", alice, true, 0}},
               {{ops, alice, 0, ""}, {ops, bob, 0, ""}}, {});
  }

  bool on_postgres() const { return std::string_view(GetParam()) == "postgres"; }

  void SetUp() override {
    load_rooms(rooms_);
    if (on_postgres()) {
      pg_store_fixture::SetUp();
      if (IsSkipped() || HasFatalFailure()) return;
      const auto outcome = migrate(*db_);
      ASSERT_TRUE(outcome.version) << outcome.error;
      harness_ = std::make_unique<pg_harness>(
          io_, rooms_, url_, [this](std::string_view sql) { return run(*db_, sql); });
    } else {
      harness_ = std::make_unique<sqlite_harness>(io_, rooms_);
    }
    for (const auto sql : store_people_and_rooms) harness_->exec(sql);
  }

  struct answer {
    bool stored = false;
    message_change change;
  };

  answer wait_for(const std::function<void(chat_store::answer<message_change>)>& start) {
    std::optional<answer> got;
    start([&](bool stored, message_change& change) { got = answer{stored, change}; });
    EXPECT_TRUE(run_until([&] { return got.has_value(); }));
    return got.value_or(answer{});
  }

  template <class Result, class Start>
  std::pair<bool, Result> wait_for_answer(Start start) {
    std::optional<std::pair<bool, Result>> got;
    start([&](bool stored, Result& result) { got.emplace(stored, result); });
    EXPECT_TRUE(run_until([&] { return got.has_value(); }));
    return got.value_or(std::pair<bool, Result>{});
  }
  std::pair<bool, room_change> create(new_room room) {
    return wait_for_answer<room_change>(
        [&](auto then) { harness_->store().create_room(room, std::move(then)); });
  }
  std::pair<bool, room_change> remove_member(std::int64_t room, std::int64_t user) {
    return wait_for_answer<room_change>(
        [&](auto then) { harness_->store().remove_member(room, user, std::move(then)); });
  }
  std::pair<bool, marker_change> seen(std::int64_t room, std::int64_t user, std::int64_t id) {
    return wait_for_answer<marker_change>(
        [&](auto then) { harness_->store().mark_seen(room, user, id, std::move(then)); });
  }

  answer send(std::int64_t user, std::int64_t room, const std::string& client_id,
              std::optional<std::int64_t> reply_to = std::nullopt,
              std::optional<std::int64_t> file = std::nullopt, mention_set mentions = {}) {
    static const char* names[] = {"", "alice", "bob", "carol"};
    send_request request{
        user,     names[user], room, client_id, "text of " + client_id, std::move(mentions),
        reply_to, file};
    auto sent = wait_for([&](auto then) { harness_->store().send(request, std::move(then)); });
    // As the node does once it is committed (SQLite's store counts unread messages by it).
    if (sent.stored && !sent.change.refused) {
      auto* target = rooms_.find(sent.change.changed.room);
      target->last_id = std::max(target->last_id, sent.change.changed.id);
    }
    return sent;
  }
  template <class Result, class Start>
  Result read(Start start) {
    auto got = wait_for_answer<Result>(start);
    EXPECT_TRUE(got.first) << "the read failed";
    return got.second;
  }
  static std::vector<std::int64_t> ids(const std::vector<message>& page) {
    std::vector<std::int64_t> out;
    for (const auto& m : page) out.push_back(m.id);
    return out;
  }
  answer edit(std::int64_t user, std::int64_t id, const std::string& text,
              mention_set mentions = {}) {
    return wait_for([&](auto then) {
      harness_->store().edit(
          user, id, text, [mentions](const room_state&) { return mentions; }, std::move(then));
    });
  }
  answer remove(std::int64_t actor, std::int64_t id, bool anywhere = false) {
    return wait_for(
        [&](auto then) { harness_->store().remove(actor, id, anywhere, std::move(then)); });
  }
  std::pair<bool, reaction_change> react(std::int64_t user, std::int64_t id,
                                         const std::string& emoji, bool on) {
    return wait_for_answer<reaction_change>(
        [&](auto then) { harness_->store().react(user, id, emoji, on, std::move(then)); });
  }

  static std::string refusal(const answer& a) {
    if (!a.stored) return "not stored";
    if (!a.change.refused) return "stored";
    return a.change.refused->code + ": " + a.change.refused->message;
  }
  template <class Result>
  static std::string refusal(const std::pair<bool, Result>& a) {
    if (!a.first) return "not stored";
    if (!a.second.refused) return "stored";
    return a.second.refused->code + ": " + a.second.refused->message;
  }

  std::string count(const std::string& sql) { return harness_->value(sql).value_or("none"); }

  room_directory rooms_;
  std::unique_ptr<store_harness> harness_;
};

}  // namespace chatterbox::test_support
