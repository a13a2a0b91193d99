#include "chatterbox/chat/chat_service.hpp"

#include "chatterbox/clock.hpp"
#include "chatterbox/observability/metrics.hpp"
#include "chatterbox/protocol/json_out.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
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

// How many messages, counted from the front of `messages`, fit in a reply of `budget` bytes.
// Always at least one: a single message always fits a reply budget (see config: the smallest
// send queue allowed holds the largest message several times over).
template <class Iterator>
std::size_t fitting(Iterator first, Iterator last, std::size_t budget) {
  std::size_t used = frames::page_overhead;
  std::size_t count = 0;
  for (; first != last; ++first) {
    used += frames::message_size(*first) + 1;  // and its comma
    if (used > budget && count > 0) break;
    ++count;
  }
  return count;
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
      presence_(io, limits.presence_grace,
                [this](const present_user& user, bool online) {
                  if (online) {
                    connections_.broadcast_except_user(user.id, frames::join(user.name));
                  } else {
                    connections_.broadcast(frames::leave(user.name));
                  }
                }),
      message_limiter_(limits.message_rate, limits.message_burst),
      signal_limiter_(limits.signal_rate, limits.signal_burst),
      query_limiter_(limits.query_rate, limits.query_burst),
      reply_bytes_(limits.reply_bytes),
      last_seq_(storage.messages.max_seq()),
      committed_seq_(last_seq_) {}

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

bool chat_service::admit_query(chat_peer& peer) {
  const auto decision = query_limiter_.take(std::to_string(peer.identity().user_id));
  if (decision.allowed) return true;
  ++metrics().rate_limited;
  peer.deliver(frames::rate_limited(nullptr, decision.retry_after.count()));
  return false;
}

void chat_service::connect(const std::shared_ptr<chat_peer>& peer) {
  const auto& who = peer->identity();
  frame_ptr history, receipts;
  try {
    history = history_page(std::nullopt, initial_history);
    receipts = receipts_frame();
  } catch (const std::exception& e) {
    // Without its first page a client cannot show the chat: let it come back shortly.
    spdlog::error("connect: user={} cannot read the database: {}", who.username, e.what());
    peer->close(1013, "try again later");
    return;
  }
  const bool first_connection = connections_.add(*peer);
  peer->deliver(frames::hello(who.username, committed_seq_));
  peer->deliver(history);
  if (first_connection) presence_.connected({who.user_id, who.username});
  peer->deliver(presence_frame());
  peer->deliver(receipts);
}

void chat_service::disconnect(chat_peer& peer) {
  const auto& who = peer.identity();
  typing_.source_closed(who.user_id, &peer);
  if (connections_.remove(peer)) presence_.disconnected({who.user_id, who.username});
}

std::vector<present_user> chat_service::stop() {
  typing_.clear();
  presence_.stop();
  return presence_.online_users();
}

void chat_service::receive(const std::shared_ptr<chat_peer>& peer, std::string_view frame) {
  try {
    dispatch(peer, frame);
  } catch (const std::exception& e) {
    // A read the database refused (history, sync) or a bug: this request fails, everyone else
    // carries on.
    spdlog::error("request from user={} failed: {}", peer->identity().username, e.what());
    peer->deliver(error_frame(store_failed(nullptr)));
  }
}

void chat_service::dispatch(const std::shared_ptr<chat_peer>& peer, std::string_view frame) {
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
                                                     command.text, epoch_ms(), last_seq_ + 1)) {
          ++last_seq_;
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
        committed(result->changed.seq);
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
          result->changed = storage_.messages.update_text(command.id, command.text, last_seq_ + 1);
          ++last_seq_;
        }
      },
      [this, result, weak = std::weak_ptr(peer), id = command.id](bool stored) {
        if (!stored) return deliver_if_connected(weak, error_frame(store_failed(id)));
        if (result->refused) return deliver_if_connected(weak, error_frame(*result->refused));
        const auto& m = result->changed;
        committed(m.seq);
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
          result->changed = storage_.messages.mark_deleted(id, last_seq_ + 1);
          ++last_seq_;
        }
      },
      [this, result, weak = std::weak_ptr(peer), id = command.id](bool stored) {
        if (!stored) return deliver_if_connected(weak, error_frame(store_failed(id)));
        if (result->refused) return deliver_if_connected(weak, error_frame(*result->refused));
        committed(result->changed.seq);
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
  if (!admit_query(*peer)) return;
  peer->deliver(history_page(command.before, command.limit));
}

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, sync_command& command) {
  if (!admit_query(*peer)) return;
  auto changed = storage_.messages.changed_since(command.since, max_sync_batch + 1);
  bool has_more = changed.size() > static_cast<std::size_t>(max_sync_batch);
  if (has_more) changed.pop_back();
  const auto fit = fitting(changed.begin(), changed.end(), reply_bytes_);
  if (fit < changed.size()) {
    changed.resize(fit);
    has_more = true;
  }
  // Without more to come the client is current up to the committed seq, even past the last
  // change (gaps are left by rolled-back writes).
  const std::int64_t seq = has_more ? changed.back().seq : committed_seq_;
  peer->deliver(frames::sync(changed, seq, has_more));
}

frame_ptr chat_service::history_page(std::optional<std::int64_t> before, int limit) {
  auto page = storage_.messages.page_before(before, limit + 1);
  bool has_more = page.size() > static_cast<std::size_t>(limit);
  if (has_more) page.erase(page.begin());
  // The newest messages of the page are kept; a page cut short says has_more, and the client
  // asks for what is before its oldest message as usual.
  const auto fit = fitting(page.rbegin(), page.rend(), reply_bytes_);
  if (fit < page.size()) {
    page.erase(page.begin(), page.end() - static_cast<std::ptrdiff_t>(fit));
    has_more = true;
  }
  return frames::history(before, page, has_more);
}

frame_ptr chat_service::receipts_frame() {
  // Newest markers first: they are the ones that mark messages on screen as seen. With more
  // users than fit in one reply, the oldest markers are left out.
  const auto all = storage_.markers.all_markers();
  std::vector<std::pair<std::string, std::int64_t>> markers(all.begin(), all.end());
  std::sort(markers.begin(), markers.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  std::size_t used = frames::page_overhead;
  std::map<std::string, std::int64_t> kept;
  for (const auto& [name, id] : markers) {
    used += json_out::string_size(name) + json_out::int_size(id) + 2;
    if (used > reply_bytes_) break;
    kept.emplace(name, id);
  }
  return frames::receipts(kept);
}

frame_ptr chat_service::presence_frame() {
  auto names = presence_.online_names();
  // Bounded by the connection cap in practice; a reply over budget lists the first names.
  std::size_t used = frames::page_overhead;
  std::size_t count = 0;
  for (; count < names.size(); ++count) {
    used += json_out::string_size(names[count]) + 1;
    if (used > reply_bytes_) break;
  }
  names.resize(count);
  return frames::presence(names);
}

}  // namespace chatterbox
