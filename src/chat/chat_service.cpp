#include "chatterbox/chat/chat_service.hpp"

#include "chatterbox/clock.hpp"
#include "chatterbox/observability/metrics.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

namespace chatterbox {
namespace {

constexpr int initial_history = 50;
constexpr int max_sync_batch = 1000;

// Outcome of a write decided inside the transaction, reported after the commit.
struct change_result {
  message changed;
  std::optional<protocol_error> refused;
  bool duplicate = false;
};

void deliver_if_connected(const std::weak_ptr<chat_peer>& weak, const frame_ptr& frame) {
  if (const auto peer = weak.lock()) peer->deliver(frame);
}

frame_ptr error_frame(const protocol_error& error) {
  return frames::error(error.code, error.message, error.ref);
}

protocol_error store_failed(nlohmann::json ref) {
  return {"internal", "the change could not be stored; nothing changed, please retry",
          std::move(ref)};
}

}  // namespace

chat_service::chat_service(boost::asio::io_context& io, chat_storage storage,
                           connection_manager& connections, chat_limits limits)
    : storage_(storage),
      connections_(connections),
      typing_(io, limits.typing_timeout,
              [this](std::int64_t user_id, const std::string& username, bool active) {
                connections_.broadcast_except_user(user_id, frames::typing(username, active));
              }),
      message_limiter_(limits.message_rate, limits.message_burst),
      signal_limiter_(limits.signal_rate, limits.signal_burst),
      seq_(storage.messages.max_seq()) {}

bool chat_service::admit_change(chat_peer& peer, const nlohmann::json& ref) {
  const auto decision = message_limiter_.take(std::to_string(peer.identity().user_id));
  if (decision.allowed) return true;
  ++metrics().rate_limited;
  peer.deliver(frames::rate_limited(ref, decision.retry_after.count()));
  return false;
}

bool chat_service::admit_signal(const chat_peer& peer) {
  if (signal_limiter_.take(std::to_string(peer.identity().user_id)).allowed) return true;
  ++metrics().rate_limited;
  return false;
}

void chat_service::connect(const std::shared_ptr<chat_peer>& peer) {
  const auto& who = peer->identity();
  const bool came_online = connections_.add(*peer);
  peer->deliver(frames::hello(who.username, seq_));
  peer->deliver(history_page(std::nullopt, initial_history));
  peer->deliver(frames::presence(connections_.online_users()));
  peer->deliver(frames::receipts(storage_.markers.all_markers()));
  if (came_online) connections_.broadcast_except_user(who.user_id, frames::join(who.username));
}

void chat_service::disconnect(chat_peer& peer) {
  const auto& who = peer.identity();
  typing_.source_closed(who.user_id, &peer);
  if (connections_.remove(peer)) connections_.broadcast(frames::leave(who.username));
}

void chat_service::stop() { typing_.clear(); }

void chat_service::receive(const std::shared_ptr<chat_peer>& peer, std::string_view frame) {
  auto parsed = parse_client_frame(frame);
  if (auto* error = std::get_if<protocol_error>(&parsed)) {
    peer->deliver(error_frame(*error));
    return;
  }
  std::visit([&](auto& command) { handle(peer, command); }, std::get<client_command>(parsed));
}

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, send_command& command) {
  if (!admit_change(*peer, command.client_id)) return;
  auto result = std::make_shared<change_result>();
  const auto& who = peer->identity();
  storage_.writes.submit(
      [this, result, user_id = who.user_id, username = who.username, command] {
        if (auto inserted = storage_.messages.insert(user_id, username, command.client_id,
                                                     command.text, epoch_ms(), seq_ + 1)) {
          ++seq_;
          result->changed = std::move(*inserted);
          return;
        }
        auto existing = storage_.messages.find_by_client_id(user_id, command.client_id);
        if (!existing) throw std::runtime_error("client_id conflict without a stored message");
        result->changed = std::move(*existing);
        result->duplicate = true;
      },
      [this, result, weak = std::weak_ptr(peer), user_id = who.user_id,
       client_id = command.client_id](bool stored) {
        if (!stored) {
          deliver_if_connected(weak, error_frame(store_failed(client_id)));
          return;
        }
        deliver_if_connected(weak, frames::ack(client_id, result->changed.id, result->changed.ts));
        if (result->duplicate) return;
        ++metrics().messages_stored;
        typing_.stop(user_id);
        connections_.broadcast(frames::new_message(result->changed));
      });
}

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, edit_command& command) {
  if (!admit_change(*peer, command.id)) return;
  auto result = std::make_shared<change_result>();
  storage_.writes.submit(
      [this, result, user_id = peer->identity().user_id, command] {
        const auto owner = storage_.messages.find_owner(command.id);
        if (!owner) {
          result->refused = protocol_error{"not_found", "no such message", command.id};
        } else if (owner->user_id != user_id) {
          result->refused =
              protocol_error{"forbidden", "only the author can edit a message", command.id};
        } else if (owner->deleted) {
          result->refused = protocol_error{"forbidden", "a deleted message cannot be edited", command.id};
        } else {
          result->changed = storage_.messages.update_text(command.id, command.text, ++seq_);
        }
      },
      [this, result, weak = std::weak_ptr(peer), id = command.id](bool stored) {
        if (!stored) return deliver_if_connected(weak, error_frame(store_failed(id)));
        if (result->refused) return deliver_if_connected(weak, error_frame(*result->refused));
        const auto& m = result->changed;
        connections_.broadcast(frames::edited(m.id, m.seq, m.text));
      });
}

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, delete_command& command) {
  if (!admit_change(*peer, command.id)) return;
  auto result = std::make_shared<change_result>();
  storage_.writes.submit(
      [this, result, user_id = peer->identity().user_id, id = command.id] {
        const auto owner = storage_.messages.find_owner(id);
        if (!owner) {
          result->refused = protocol_error{"not_found", "no such message", id};
        } else if (owner->user_id != user_id) {
          result->refused = protocol_error{"forbidden", "only the author can delete a message", id};
        } else if (owner->deleted) {
          result->refused = protocol_error{"forbidden", "the message is already deleted", id};
        } else {
          result->changed = storage_.messages.mark_deleted(id, ++seq_);
        }
      },
      [this, result, weak = std::weak_ptr(peer), id = command.id](bool stored) {
        if (!stored) return deliver_if_connected(weak, error_frame(store_failed(id)));
        if (result->refused) return deliver_if_connected(weak, error_frame(*result->refused));
        connections_.broadcast(frames::deleted(result->changed.id, result->changed.seq));
      });
}

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, typing_command& command) {
  // "Stopped typing" always passes: dropping it would leave a stale indicator up.
  if (command.active && !admit_signal(*peer)) return;
  const auto& who = peer->identity();
  typing_.set(who.user_id, who.username, peer.get(), command.active);
}

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, seen_command& command) {
  if (!admit_signal(*peer)) return;
  struct seen_result {
    bool exists = false;
    bool moved = false;
  };
  auto result = std::make_shared<seen_result>();
  const auto& who = peer->identity();
  storage_.writes.submit(
      [this, result, user_id = who.user_id, id = command.id] {
        result->exists = storage_.messages.find_owner(id).has_value();
        if (result->exists) result->moved = storage_.markers.advance(user_id, id);
      },
      [this, result, weak = std::weak_ptr(peer), username = who.username,
       id = command.id](bool stored) {
        if (!stored) return deliver_if_connected(weak, error_frame(store_failed(id)));
        if (!result->exists) {
          return deliver_if_connected(weak, error_frame({"not_found", "no such message", id}));
        }
        if (result->moved) connections_.broadcast(frames::seen(username, id));
      });
}

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, history_command& command) {
  peer->deliver(history_page(command.before, command.limit));
}

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, sync_command& command) {
  auto changed = storage_.messages.changed_since(command.since, max_sync_batch + 1);
  const bool has_more = changed.size() > static_cast<std::size_t>(max_sync_batch);
  if (has_more) changed.pop_back();
  // Without more to come the client is current up to the live seq, even past the last change.
  const std::int64_t seq = has_more ? changed.back().seq : seq_;
  peer->deliver(frames::sync(changed, seq, has_more));
}

frame_ptr chat_service::history_page(std::optional<std::int64_t> before, int limit) {
  auto page = storage_.messages.page_before(before, limit + 1);
  const bool has_more = page.size() > static_cast<std::size_t>(limit);
  if (has_more) page.erase(page.begin());
  return frames::history(before, page, has_more);
}

}  // namespace chatterbox
