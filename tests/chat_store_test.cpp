// The chat store's contract (store/chat_store.hpp), one suite run against both stores: SQLite's
// (one node) and PostgreSQL's (several). Both must answer every write the same way — the same
// seqs, the same refusals with the same words — since the protocol code above them is one.

#include "chatterbox/chat/room_directory.hpp"
#include "chatterbox/postgres/pg_batcher.hpp"
#include "chatterbox/storage/database.hpp"
#include "chatterbox/store/pg_chat_store.hpp"
#include "chatterbox/store/sqlite_chat_store.hpp"

#include "support/pg_store_fixture.hpp"

#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace chatterbox {
namespace {

using test_support::pg_store_fixture;

constexpr std::int64_t alice = 1;  // an administrator
constexpr std::int64_t bob = 2;
constexpr std::int64_t carol = 3;
constexpr std::int64_t general = 1;  // open
constexpr std::int64_t ops = 2;      // private: alice and bob
constexpr std::int64_t old = 3;      // open, archived

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

// The same rooms as the node's directory holds them.
void load_rooms(room_directory& rooms) {
  rooms.load({{general, "open", "general", "", 0, false, 0},
              {ops, "private", "ops", "", alice, false, 0},
              {old, "open", "old", "", alice, true, 0}},
             {{ops, alice, 0, ""}, {ops, bob, 0, ""}}, {});
}

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
      : path_(std::filesystem::temp_directory_path() /
              ("chatterbox-store-" + std::to_string(std::random_device{}()))),
        db_(path_.string(), sync_mode::normal),
        messages_(db_.handle()),
        rooms_(db_.handle()),
        mentions_(db_.handle()),
        reactions_(db_.handle()),
        users_(db_.handle()),
        files_(db_.handle()),
        writes_(io, db_.handle()),
        store_(chat_storage{messages_, rooms_, mentions_, reactions_, users_, writes_, db_.handle(),
                            &files_},
               rooms) {}
  ~sqlite_harness() override {
    std::error_code ignored;
    for (const auto* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(path_.string() + suffix, ignored);
    }
  }

  chat_store& store() override { return store_; }
  void exec(std::string_view sql) override { db_.handle().exec(std::string(sql)); }
  std::optional<std::string> value(std::string_view sql) override {
    SQLite::Statement query(db_.handle(), std::string(sql));
    if (!query.executeStep() || query.getColumn(0).isNull()) return std::nullopt;
    return query.getColumn(0).getString();
  }

 private:
  std::filesystem::path path_;
  database db_;
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
      : writes_(io, url), store_(writes_, rooms), run_(std::move(run)) {
    writes_.start();
  }

  chat_store& store() override { return store_; }
  void exec(std::string_view sql) override {
    const auto result = run_(sql);
    ASSERT_TRUE(result.ok) << result.error;
  }
  std::optional<std::string> value(std::string_view sql) override {
    const auto result = run_(sql);
    EXPECT_TRUE(result.ok) << result.error;
    if (!result.ok || result.rows.empty()) return std::nullopt;
    return result.value(0, 0);
  }

 private:
  pg_batcher writes_;
  pg_chat_store store_;
  std::function<pg_result(std::string_view)> run_;
};

class chat_store_test : public pg_store_fixture, public ::testing::WithParamInterface<const char*> {
 protected:
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

TEST_P(chat_store_test, SendsTakeTheNextSeqAndAResendIsTheFirstMessage) {
  const auto first = send(alice, general, "c1");
  ASSERT_EQ(refusal(first), "stored");
  EXPECT_FALSE(first.change.duplicate);
  EXPECT_EQ(first.change.changed.id, 1);
  EXPECT_EQ(first.change.changed.seq, 1);
  EXPECT_EQ(first.change.changed.room, general);
  EXPECT_EQ(first.change.changed.user, "alice");
  EXPECT_EQ(first.change.changed.text, "text of c1");
  EXPECT_GT(first.change.changed.ts, 0);

  const auto again = send(alice, general, "c1");
  ASSERT_EQ(refusal(again), "stored");
  EXPECT_TRUE(again.change.duplicate);
  EXPECT_EQ(again.change.changed.id, 1);
  EXPECT_EQ(again.change.changed.ts, first.change.changed.ts);

  // The same client_id from someone else is their own message.
  const auto bobs = send(bob, general, "c1");
  EXPECT_FALSE(bobs.change.duplicate);
  EXPECT_EQ(bobs.change.changed.seq, 2);
  EXPECT_EQ(count("SELECT count(*) FROM messages"), "2");
}

TEST_P(chat_store_test, RefusedSendsTakeNoSeq) {
  EXPECT_EQ(refusal(send(carol, ops, "a")), "not_found: no such room");
  EXPECT_EQ(refusal(send(alice, 99, "b")), "not_found: no such room");
  EXPECT_EQ(refusal(send(alice, old, "c")), "forbidden: the room is archived");
  EXPECT_EQ(refusal(send(alice, general, "d", 42)), "not_found: no such message");
  EXPECT_EQ(refusal(send(alice, general, "e", std::nullopt, 42)), "not_found: no such file");
  EXPECT_EQ(send(bob, ops, "f").change.changed.seq, 1);
  EXPECT_EQ(count("SELECT count(*) FROM messages"), "1");
}

TEST_P(chat_store_test, MentionsAreStoredWithTheMessageAndReplacedByAnEdit) {
  const auto sent =
      send(alice, general, "m", std::nullopt, std::nullopt, {{"bob", "here"}, {bob, carol}});
  ASSERT_EQ(refusal(sent), "stored");
  EXPECT_EQ(sent.change.changed.mentions, (std::vector<std::string>{"bob", "here"}));
  EXPECT_EQ(count("SELECT count(*) FROM mentions"), "2");

  const auto edited = edit(alice, sent.change.changed.id, "now for carol", {{"carol"}, {carol}});
  ASSERT_EQ(refusal(edited), "stored");
  EXPECT_EQ(edited.change.changed.seq, 2);
  EXPECT_EQ(edited.change.changed.text, "now for carol");
  EXPECT_EQ(edited.change.changed.mentions, std::vector<std::string>{"carol"});
  EXPECT_EQ(count("SELECT count(*) FROM mentions"), "1");
  EXPECT_EQ(count("SELECT user_id FROM mentions"), "3");
  EXPECT_EQ(count("SELECT text FROM messages"), "now for carol");
}

TEST_P(chat_store_test, OnlyTheAuthorEditsAndNobodyEditsWhatTheyCannotSee) {
  const auto id = send(bob, ops, "p").change.changed.id;
  EXPECT_EQ(refusal(edit(alice, id, "x")), "forbidden: only the author can edit a message");
  EXPECT_EQ(refusal(edit(carol, id, "x")), "not_found: no such message");
  EXPECT_EQ(refusal(edit(bob, 99, "x")), "not_found: no such message");
  ASSERT_EQ(refusal(remove(bob, id)), "stored");
  EXPECT_EQ(refusal(edit(bob, id, "x")), "forbidden: the message is deleted");
  EXPECT_EQ(send(bob, ops, "q").change.changed.seq, 3);  // send 1, delete 2
}

TEST_P(chat_store_test, RepliesQuoteTheirOriginalAndCountOnIt) {
  const auto original = send(alice, general, "o").change.changed;
  const auto reply = send(bob, general, "r", original.id);
  ASSERT_EQ(refusal(reply), "stored");
  ASSERT_TRUE(reply.change.changed.reply_to);
  EXPECT_EQ(reply.change.changed.reply_to->id, original.id);
  EXPECT_EQ(reply.change.changed.reply_to->user, "alice");
  EXPECT_EQ(reply.change.changed.reply_to->text, "text of o");
  EXPECT_EQ(reply.change.changed.seq, 2);
  ASSERT_TRUE(reply.change.original);
  EXPECT_EQ(reply.change.original->id, original.id);
  EXPECT_EQ(reply.change.original->seq, 3);
  EXPECT_EQ(reply.change.original->count, 1);

  // A reply only in the original's room, and not to a deleted message.
  const auto elsewhere = send(bob, ops, "elsewhere").change.changed;
  EXPECT_EQ(refusal(send(bob, general, "r2", elsewhere.id)), "not_found: no such message");

  const auto removed = remove(bob, reply.change.changed.id);
  ASSERT_EQ(refusal(removed), "stored");
  EXPECT_EQ(removed.change.changed.seq, 5);
  ASSERT_TRUE(removed.change.original);
  EXPECT_EQ(removed.change.original->seq, 6);
  EXPECT_EQ(removed.change.original->count, 0);

  ASSERT_EQ(refusal(remove(alice, original.id)), "stored");
  EXPECT_EQ(refusal(send(bob, general, "r3", original.id)), "forbidden: the message is deleted");
}

TEST_P(chat_store_test, AdministratorsDeleteOthersMessagesAndAreAudited) {
  const auto id = send(bob, general, "b").change.changed.id;
  EXPECT_EQ(refusal(remove(carol, id)), "forbidden: only the author can delete a message");
  const auto removed = remove(alice, id);
  ASSERT_EQ(refusal(removed), "stored");
  EXPECT_TRUE(removed.change.changed.deleted);
  EXPECT_EQ(removed.change.changed.room, general);
  EXPECT_EQ(count("SELECT detail FROM admin_audit WHERE action = 'delete_message'"),
            "message 1 in #general");
  EXPECT_EQ(refusal(remove(alice, id)), "forbidden: the message is deleted");
  EXPECT_EQ(refusal(remove(alice, id, true)), "already_deleted: the message is deleted");
  EXPECT_EQ(count("SELECT text FROM messages"), "");
}

TEST_P(chat_store_test, AResendIsAcknowledgedAfterTheSenderLeftTheRoom) {
  const auto first = send(bob, ops, "before");
  harness_->exec("DELETE FROM room_members WHERE room_id = 2 AND user_id = 2");
  rooms_.remove_member(*rooms_.find(ops), bob);
  const auto again = send(bob, ops, "before");
  ASSERT_EQ(refusal(again), "stored");
  EXPECT_TRUE(again.change.duplicate);
  EXPECT_EQ(again.change.changed.id, first.change.changed.id);
  EXPECT_EQ(refusal(send(bob, ops, "after")), "not_found: no such room");
}

TEST_P(chat_store_test, ReactionsCountPeopleAndTakeASeqOnlyWhenTheyChange) {
  const auto id = send(alice, general, "m").change.changed.id;
  auto on = react(bob, id, "👍", true);
  ASSERT_EQ(refusal(on), "stored");
  EXPECT_TRUE(on.second.changed);
  EXPECT_EQ(on.second.seq, 2);
  EXPECT_EQ(on.second.room, general);
  EXPECT_EQ(on.second.count, 1);
  EXPECT_EQ(react(carol, id, "👍", true).second.count, 2);

  const auto same = react(bob, id, "👍", true);
  ASSERT_EQ(refusal(same), "stored");
  EXPECT_FALSE(same.second.changed);

  const auto off = react(bob, id, "👍", false);
  EXPECT_EQ(off.second.seq, 4);
  EXPECT_EQ(off.second.count, 1);
  EXPECT_EQ(count("SELECT seq FROM messages"), "4");  // sync brings the message again

  for (int i = 1; i < max_reaction_emoji; ++i) {
    ASSERT_TRUE(react(alice, id, "e" + std::to_string(i), true).second.changed);
  }
  EXPECT_EQ(refusal(react(alice, id, "one too many", true)),
            "forbidden: a message has at most 20 different reactions");
  EXPECT_EQ(react(alice, id, "👍", true).second.count, 2);  // an emoji already there

  EXPECT_EQ(refusal(react(carol, send(bob, ops, "p").change.changed.id, "x", true)),
            "not_found: no such message");
  ASSERT_EQ(refusal(remove(alice, id)), "stored");
  EXPECT_EQ(refusal(react(bob, id, "x", true)), "forbidden: the message is deleted");
  EXPECT_EQ(count("SELECT count(*) FROM reactions"), "0");
}

TEST_P(chat_store_test, AFileGoesWithOneMessageAndItsBytesAreReleasedWithIt) {
  harness_->exec(
      "INSERT INTO files (sha256, user_id, room_id, name, size, type, width, height, created_at) "
      "VALUES ('abc', 2, 1, 'cat.png', 10, 'image/png', 4, 3, 0), "
      "('abc', 2, 1, 'same-cat.png', 10, 'image/png', 4, 3, 0)");
  EXPECT_EQ(refusal(send(carol, general, "not hers", std::nullopt, 1)), "not_found: no such file");
  EXPECT_EQ(refusal(send(bob, ops, "other room", std::nullopt, 1)), "not_found: no such file");
  const auto sent = send(bob, general, "cat", std::nullopt, 1);
  ASSERT_EQ(refusal(sent), "stored");
  ASSERT_TRUE(sent.change.changed.file);
  EXPECT_EQ(sent.change.changed.file->name, "cat.png");
  EXPECT_EQ(sent.change.changed.file->width, 4);
  EXPECT_EQ(refusal(send(bob, general, "again", std::nullopt, 1)),
            "forbidden: the file is already attached");
  EXPECT_EQ(send(bob, general, "cat", std::nullopt, 1).change.duplicate, true);

  const auto second = send(bob, general, "same bytes", std::nullopt, 2).change.changed;
  const auto removed = remove(bob, sent.change.changed.id);
  ASSERT_EQ(refusal(removed), "stored");
  EXPECT_FALSE(removed.change.released_blob);  // the other upload has the same bytes
  EXPECT_EQ(remove(bob, second.id).change.released_blob, "abc");
  EXPECT_EQ(count("SELECT count(*) FROM files"), "0");
}

TEST_P(chat_store_test, ARoomNameIsTakenOnceWhateverItsCase) {
  const auto team = create({alice, "private", "team", "", {alice, carol}, "c1"});
  ASSERT_EQ(refusal(team), "stored");
  EXPECT_EQ(team.second.room_id, 4);
  EXPECT_EQ(team.second.seq, 1);
  EXPECT_EQ(count("SELECT count(*) FROM room_members WHERE room_id = 4"), "2");
  const auto again = create({bob, "open", "Team", "", {}, "c2"});
  EXPECT_EQ(refusal(again), "name_taken: a room with that name exists");
  EXPECT_EQ(again.second.refused->ref, "c2");

  const auto lobby = create({bob, "open", "lobby", "", {}, "c3"});
  EXPECT_EQ(lobby.second.seq, 2);
  EXPECT_EQ(count("SELECT count(*) FROM room_members WHERE room_id = " +
                  std::to_string(lobby.second.room_id)),
            "3");  // everyone

  const auto renamed = wait_for_answer<room_change>(
      [&](auto then) { harness_->store().rename_room(4, "ops", std::move(then)); });
  EXPECT_EQ(refusal(renamed), "name_taken: a room with that name exists");
  const auto renamed_free = wait_for_answer<room_change>(
      [&](auto then) { harness_->store().rename_room(4, "crew", std::move(then)); });
  ASSERT_EQ(refusal(renamed_free), "stored");
  EXPECT_EQ(renamed_free.second.seq, 3);
  EXPECT_EQ(count("SELECT name FROM rooms WHERE id = 4"), "crew");
}

TEST_P(chat_store_test, ADirectMessageBetweenTheSamePeopleIsOpenedOnce) {
  const auto dm = create({alice, "dm", "", "1,2", {alice, bob}, "d1"});
  ASSERT_EQ(refusal(dm), "stored");
  EXPECT_EQ(dm.second.seq, 1);
  const auto again = create({bob, "dm", "", "1,2", {alice, bob}, "d2"});
  ASSERT_EQ(refusal(again), "stored");
  EXPECT_EQ(again.second.seq, 0);  // nothing new: the node finds it in its directory
  EXPECT_EQ(count("SELECT count(*) FROM rooms WHERE kind = 'dm'"), "1");
}

TEST_P(chat_store_test, MembersComeWithTheirHistoryReadAndLeaveTheirMarkersBehind) {
  const auto m1 = send(alice, ops, "m1").change.changed.id;
  const auto m2 = send(alice, ops, "m2").change.changed.id;
  const auto added = wait_for_answer<room_change>(
      [&](auto then) { harness_->store().add_members(ops, {carol}, m2, std::move(then)); });
  ASSERT_EQ(refusal(added), "stored");
  EXPECT_EQ(added.second.seq, 3);
  EXPECT_EQ(count("SELECT marker FROM room_members WHERE room_id = 2 AND user_id = 3"),
            std::to_string(m2));

  EXPECT_EQ(seen(ops, bob, m1).second.moved, true);
  const auto back = seen(ops, bob, m1);
  EXPECT_TRUE(back.second.exists);
  EXPECT_FALSE(back.second.moved);                     // only forward
  EXPECT_FALSE(seen(general, bob, m1).second.exists);  // not that room's

  const auto carol_gone = remove_member(ops, carol);
  ASSERT_EQ(refusal(carol_gone), "stored");
  EXPECT_EQ(carol_gone.second.seq, 4);  // markers take no seq
  EXPECT_FALSE(carol_gone.second.archived);
  ASSERT_EQ(carol_gone.second.readers.size(), 1u);  // alice never read
  EXPECT_EQ(carol_gone.second.readers[0].user_id, bob);
  EXPECT_EQ(carol_gone.second.readers[0].marker, m1);
  EXPECT_EQ(refusal(remove_member(ops, carol)), "not_found: no such member");

  EXPECT_FALSE(remove_member(ops, bob).second.archived);
  const auto last = remove_member(ops, alice);
  EXPECT_TRUE(last.second.archived);  // read-only, not deleted: nothing is lost
  EXPECT_EQ(last.second.seq, 6);
  EXPECT_EQ(count("SELECT count(*) FROM room_departures WHERE room_id = 2"), "3");
}

TEST_P(chat_store_test, ArchivingSomeoneElsesRoomIsAudited) {
  const auto own = wait_for_answer<room_change>(
      [&](auto then) { harness_->store().archive_room(ops, true, alice, std::move(then)); });
  ASSERT_EQ(refusal(own), "stored");
  EXPECT_EQ(own.second.seq, 1);
  EXPECT_EQ(count("SELECT count(*) FROM admin_audit"), "0");
  rooms_.find(ops)->archived = true;  // as the node does once it is committed
  const auto moderated = wait_for_answer<room_change>(
      [&](auto then) { harness_->store().archive_room(general, true, alice, std::move(then)); });
  ASSERT_EQ(refusal(moderated), "stored");
  EXPECT_EQ(count("SELECT detail FROM admin_audit WHERE action = 'archive_room'"), "#general");
  rooms_.find(general)->archived = true;  // as the node does once it is committed
  EXPECT_EQ(refusal(send(bob, general, "late")), "forbidden: the room is archived");
  const auto none = wait_for_answer<room_change>(
      [&](auto then) { harness_->store().archive_room(99, true, alice, std::move(then)); });
  EXPECT_EQ(refusal(none), "not_found: no such room");
  EXPECT_EQ(refusal(send(bob, ops, "late")), "forbidden: the room is archived");
  EXPECT_EQ(create({bob, "open", "next", "", {}, "c"}).second.seq, 3);
}

TEST_P(chat_store_test, ANotificationLevelIsKeptPerMemberAndRoom) {
  const auto set = wait_for_answer<nothing_to_say>(
      [&](auto then) { harness_->store().set_notify(general, bob, "none", std::move(then)); });
  EXPECT_TRUE(set.first);
  EXPECT_EQ(count("SELECT notify FROM room_members WHERE room_id = 1 AND user_id = 2"), "none");
  EXPECT_EQ(count("SELECT count(*) FROM room_members WHERE notify IS NOT NULL"), "1");
}

TEST_P(chat_store_test, HistoryPagesComeOldestFirstWithReactionsAsTheViewerSeesThem) {
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

TEST_P(chat_store_test, ChangesSinceASeqKeepToTheUsersRoomsInSeqOrder) {
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

TEST_P(chat_store_test, MarksCountWhatIsUnreadAfterEachMarker) {
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

TEST_P(chat_store_test, MembersAreFoundByTheStartOfTheirNameInAnyCase) {
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

TEST_P(chat_store_test, SeenByNamesTheOthersWhoReadThatFar) {
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

TEST_P(chat_store_test, OnlyTheCreatorOrAnAdministratorArchivesARoom) {
  const auto by_bob = wait_for_answer<room_change>(
      [&](auto then) { harness_->store().archive_room(ops, true, bob, std::move(then)); });
  EXPECT_EQ(refusal(by_bob), "forbidden: only the room's creator can do that");
  harness_->exec("UPDATE users SET role = 'admin' WHERE id = 2");
  const auto promoted = wait_for_answer<room_change>(
      [&](auto then) { harness_->store().archive_room(ops, true, bob, std::move(then)); });
  EXPECT_EQ(refusal(promoted), "stored");
  EXPECT_EQ(promoted.second.seq, 1);  // the refusal took none
}

TEST_P(chat_store_test, ALoadIsEverythingANodeNeedsToServe) {
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

TEST_P(chat_store_test, SearchFindsWordsPhrasesAndBeginningsInTheUsersRooms) {
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

INSTANTIATE_TEST_SUITE_P(Stores, chat_store_test, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace chatterbox
