#pragma once

#include "chatterbox/chat/chat_peer.hpp"
#include "chatterbox/chat/chat_signal.hpp"
#include "chatterbox/chat/connection_manager.hpp"
#include "chatterbox/chat/presence_tracker.hpp"
#include "chatterbox/chat/presence_watch.hpp"
#include "chatterbox/chat/room_directory.hpp"
#include "chatterbox/chat/room_event.hpp"
#include "chatterbox/chat/user_directory.hpp"
#include "chatterbox/chat/typing_tracker.hpp"
#include "chatterbox/limits/rate_limiter.hpp"
#include "chatterbox/protocol/client_command.hpp"
#include "chatterbox/storage/audit_log.hpp"
#include "chatterbox/storage/message_repository.hpp"
#include "chatterbox/protocol/server_frames.hpp"
#include "chatterbox/storage/file_repository.hpp"
#include "chatterbox/storage/mention_repository.hpp"
#include "chatterbox/storage/reaction_repository.hpp"
#include "chatterbox/storage/room_repository.hpp"
#include "chatterbox/storage/search_repository.hpp"
#include "chatterbox/storage/user_repository.hpp"
#include "chatterbox/storage/write_batcher.hpp"
#include "chatterbox/store/sqlite_chat_store.hpp"

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

namespace chatterbox {

class presence_board;

struct chat_limits {
  std::chrono::milliseconds typing_timeout;
  unsigned message_rate;  // send/edit/delete per second per user
  unsigned message_burst;
  unsigned signal_rate;  // typing/seen per second per user
  unsigned signal_burst;
  unsigned query_rate = 1000000;  // history/sync per second per user
  unsigned query_burst = 1000000;
  // No single reply (a history page, a sync page, each frame sent on connect) is larger than
  // this, so a reply always fits the send queue of a client that reads (a quarter of it).
  std::size_t reply_bytes = 1024 * 1024;
  std::chrono::milliseconds presence_grace{0};
  std::chrono::milliseconds presence_batch{250};
};

// Protocol 2 behaviour (docs/protocol.md): turns each client frame into storage changes and
// fan-out to the members of the room concerned. It never touches a socket; peers are reached
// through chat_peer. Nothing it does throws to its caller: a request the database cannot serve
// is answered `error internal`.
//
// Its member functions are spread by job: chat_service.cpp (connecting, dispatch, limits),
// chat_messages.cpp (send, edit, delete, typing, seen), chat_reactions.cpp (react),
// chat_rooms.cpp (room commands) and chat_queries.cpp (hello, history, sync, members, seen_by,
// watch).
class chat_service {
 public:
  // One node on SQLite: the service keeps its own store and room directory, loaded at once.
  chat_service(boost::asio::io_context& io, chat_storage storage, connection_manager& connections,
               chat_limits limits);
  // On another store (PostgreSQL): `store` was made with `rooms`, and `snapshot` is what it
  // loaded before the node serves. `release_blob` removes a deleted file's bytes.
  chat_service(boost::asio::io_context& io, chat_store& store, room_directory& rooms,
               chat_snapshot snapshot, connection_manager& connections, chat_limits limits,
               std::function<void(std::string sha256)> release_blob = nullptr);

  // Sends hello (the user's rooms with their unread state).
  void connect(const std::shared_ptr<chat_peer>& peer);
  void receive(const std::shared_ptr<chat_peer>& peer, std::string_view frame);
  // Idempotent; the peer must call it before it is destroyed.
  void disconnect(chat_peer& peer);
  // Users the previous run of the server had online (see presence_tracker::assume_online).
  void assume_online(const std::vector<present_user>& users) { presence_.assume_online(users); }
  // Shutdown: no typing or presence timers may keep the event loop alive, and nobody is
  // announced as gone (the server is going, not its users). Returns who was online.
  std::vector<present_user> stop();

  // The highest seq of a change delivered to this node's clients.
  std::int64_t current_seq() const { return committed_seq_; }

  // Where committed changes go: by default they are delivered here at once (one node). With
  // several nodes, `publish` sends them to every node, each delivering them to its own clients
  // in seq order through deliver() (docs/scale-out.md).
  void publish_through(std::function<void(room_event)> publish) { publish_ = std::move(publish); }
  // A change committed by this node (`own`) or another, told to this node's clients.
  void deliver(const room_event& event, bool own);
  // Signals (typing, receipts, a user's frames for their other tabs, presence changes) reach
  // this node's clients at once and, through `signal`, the other nodes' (docs/scale-out.md).
  void signal_through(std::function<void(const chat_signal&)> signal) {
    signal_ = std::move(signal);
  }
  // Another node's signal, for this node's clients (chat_events.cpp). Presence signals go to
  // the presence board instead, which then calls presence_changed.
  void receive_signal(const chat_signal& signal);
  // Who is online on the other nodes (kept by the bus): this node's clients see them online.
  void presence_elsewhere(const presence_board* board) { elsewhere_ = board; }
  // These users' presence on the other nodes changed: whoever watches them is told.
  void presence_changed(const std::vector<std::int64_t>& user_ids);
  // Who this node has announced online (its part of everyone's presence).
  std::vector<present_user> online_here() const { return presence_.online_users(); }
  // Whether the user is a member of the room now (false for a room that does not exist): the
  // file endpoints' check, the same the chat makes.
  bool is_member(std::int64_t room_id, std::int64_t user_id) {
    return rooms_.visible(room_id, user_id) != nullptr;
  }
  // An account created after startup; `seq`: its change's, where accounts are shared by
  // several nodes (then every node learns of it), or 0.
  void add_user(std::int64_t id, std::string name, std::int64_t seq = 0);

  // Moderation through the admin API (chat_moderation.cpp); the caller has checked that
  // `admin_id` is an administrator. `done(stored, refused)`: after the commit (and the
  // broadcast), or with why nothing changed; `stored` false when the database could not.
  using change_done = std::function<void(bool stored, const std::optional<protocol_error>& refused)>;
  struct room_overview {
    std::int64_t id = 0;
    std::string name;
    bool open = true;
    bool archived = false;
    std::size_t members = 0;
    std::string creator;
  };
  // A room's name for an export's file name ("general", "dm-3"; "" for no such room).
  std::string room_file_stem(std::int64_t room_id);
  // Every open and private room, by id.
  std::vector<room_overview> rooms_overview();
  // Any open or private room, member or not (not_found for DMs).
  void archive_as_admin(std::int64_t room_id, bool archived, std::int64_t admin_id,
                        change_done done);
  // Any message, in any room (already_deleted, not_found).
  void delete_as_admin(std::int64_t message_id, std::int64_t admin_id, change_done done);

 private:
  struct sqlite_parts {
    std::unique_ptr<room_directory> rooms;
    std::unique_ptr<sqlite_chat_store> store;
  };
  static sqlite_parts make_sqlite_parts(const chat_storage& storage);
  // `parts` when the service keeps its own, otherwise `rooms` and `store`.
  chat_service(boost::asio::io_context& io, sqlite_parts parts, room_directory* rooms,
               chat_store* store, std::optional<chat_storage> sqlite,
               std::function<void(std::string sha256)> release_blob,
               connection_manager& connections, chat_limits limits);
  void start_from(chat_snapshot& snapshot);

  void dispatch(const std::shared_ptr<chat_peer>& peer, std::string_view frame);
  void handle(const std::shared_ptr<chat_peer>& peer, send_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, react_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, edit_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, delete_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, typing_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, seen_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, history_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, sync_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, create_room_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, open_dm_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, rename_room_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, add_members_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, remove_member_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, leave_room_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, archive_room_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, notify_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, members_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, seen_by_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, watch_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, search_command& command);  // chat_search.cpp
  // history with `after` / `around` (chat_history.cpp).
  void history_after(const std::shared_ptr<chat_peer>& peer, const history_command& command);
  void history_around(const std::shared_ptr<chat_peer>& peer, const history_command& command);
  // The sync reply once the store has read the page of changes.
  void sync_reply(chat_peer& peer, const std::weak_ptr<chat_peer>& weak,
                  const sync_command& command, change_page& page);

  // The answer to a read of the store for `peer`: `reply` runs when the peer is still there and
  // (for `room_id` other than 0) still a member of the room, since the store may answer after
  // a round trip; a read the store could not answer is answered `error internal`.
  template <class Result, class Reply>
  chat_store::answer<Result> answering_peer(const std::shared_ptr<chat_peer>& peer,
                                            std::int64_t room_id, Reply reply) {
    return [this, weak = std::weak_ptr(peer), room_id, reply = std::move(reply)](bool read,
                                                                                Result& result) {
      const auto peer = weak.lock();
      if (!peer) return;
      if (!read) return read_refused(*peer);
      if (room_id != 0 && member_room(*peer, room_id) == nullptr) return;
      reply(*peer, result);
    };
  }

  void read_refused(chat_peer& peer);

  frame_ptr hello_frame(const peer_identity& who, std::vector<room_marks>& marks);
  room_view view_of(const room_state& room) const;
  nlohmann::json room_json(const room_state& room) const { return frames::room_object(view_of(room)); }
  // The room a room command changes: the user is within the message rate, a member, and allowed
  // this change (the room's kind; being its creator). Otherwise the peer is told why: nullptr.
  room_state* room_to_change(chat_peer& peer, std::int64_t room_id, bool private_only,
                             bool creator_only);
  // The room, when the peer's user is a member; otherwise the peer is told `not_found`.
  room_state* member_room(chat_peer& peer, std::int64_t room_id);
  // Sends `frame` to every connection of the room's members (but `except`'s).
  void to_room(const room_state& room, const frame_ptr& frame, std::int64_t except = 0);
  // Usernames to user ids; nullopt (and the peer told `not_found`) when one does not exist.
  std::optional<std::vector<std::int64_t>> resolve_users(chat_peer& peer,
                                                         const std::vector<std::string>& names,
                                                         const nlohmann::json& ref);
  std::optional<std::int64_t> find_user(std::string_view name);
  // Who a text mentions in a room: names as sent, and the user ids to count.
  mention_set mentions_in(const room_state& room, std::int64_t author, std::string_view text);
  // A change of a room that bumps its seq: `write` hands the answer to the store's call; after
  // the commit, `then` runs with the room as the directory has it (not when refused).
  using room_write = std::function<void(chat_store::answer<room_change>)>;
  using room_then = std::function<void(room_state&, const room_change&)>;
  void change_room(const std::shared_ptr<chat_peer>& peer, std::int64_t room_id, room_write write,
                   room_then then);
  void change_room(std::int64_t room_id, room_write write, room_then then, change_done done);
  // Deletes a message as `actor`: its author, or an administrator (moderation, audited).
  // `anywhere`: the admin API's delete, in any room (archived or not, member or not).
  void remove_message(std::int64_t actor, std::int64_t id, bool anywhere, change_done done);
  // Archiving a room as `actor` (audited when not its creator).
  room_write archive_write(std::int64_t room_id, bool archived, std::int64_t actor);
  room_then announce_archived(bool archived);
  // After the commit: the room learns the original's new reply count, if it changed.
  void announce_replies(std::int64_t room_id, const message_change& result);
  // A committed change, to every node's clients (see publish_through).
  void publish(room_event event);
  // A room changed on another node, as this node's directory must now have it; returns who
  // is no longer a member.
  std::vector<std::int64_t> apply_room(const room_snapshot& changed, std::int64_t seq);
  // The `room` event of a room change, for everyone concerned.
  room_event room_changed(const room_state& room, std::int64_t seq);
  // A room or DM just created: its creator's connections get the answer with `ref`.
  void announce_new_room(const room_state& room, std::int64_t creator, const nlohmann::json& ref);
  // false (and the client told when to retry) when the user is over the message rate.
  bool admit_change(chat_peer& peer, const nlohmann::json& ref);
  // false when the user is over the typing/seen rate; such events are dropped silently.
  bool admit_signal(const chat_peer& peer);
  // false (and the client told when to retry) when the user is over the history/sync rate.
  bool admit_query(chat_peer& peer);
  void committed(std::int64_t seq) { committed_seq_ = std::max(committed_seq_, seq); }
  // Online on this node or (with the bus) any other.
  bool online(std::int64_t user_id) const;
  std::vector<std::int64_t> online_ids() const;
  // A signal for this node's clients (already done by the caller) goes to the other nodes'.
  void signal(chat_signal signal) const {
    if (signal_) signal_(signal);
  }

  // SQLite's repositories when the service runs on them (a user created since startup is
  // looked up there); none on another store.
  std::optional<chat_storage> sqlite_;
  std::function<void(std::string sha256)> release_blob_;
  connection_manager& connections_;
  user_directory users_;
  std::unique_ptr<room_directory> own_rooms_;
  room_directory& rooms_;
  std::unique_ptr<sqlite_chat_store> own_store_;
  chat_store& store_;
  typing_tracker typing_;
  presence_watch watch_;
  presence_tracker presence_;
  rate_limiter message_limiter_;
  rate_limiter signal_limiter_;
  rate_limiter query_limiter_;
  std::size_t reply_bytes_;
  // The highest seq of a committed change, as the store's answers tell.
  std::int64_t committed_seq_ = 0;
  // Peers whose hello is being read: they join the fan-out when it is.
  std::unordered_set<const chat_peer*> connecting_;  // counted in connections_ too
  void stop_connecting(const chat_peer& peer);
  std::function<void(room_event)> publish_;
  std::function<void(const chat_signal&)> signal_;
  const presence_board* elsewhere_ = nullptr;
};

}  // namespace chatterbox
