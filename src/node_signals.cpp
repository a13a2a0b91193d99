#include "chatterbox/node_signals.hpp"

#include "chatterbox/bus/signal_codec.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <set>

namespace chatterbox {

node_signals::node_signals(boost::asio::io_context& io, redis_bus& bus, chat_service& chat,
                           connection_manager& connections, std::string origin, options opts)
    : bus_(bus),
      chat_(chat),
      connections_(connections),
      origin_(std::move(origin)),
      options_(std::move(opts)),
      timer_(io),
      last_read_(std::chrono::steady_clock::now()) {
  bus_.on_signal([this](std::string_view payload) { receive(payload); });
  bus_.on_connected([this] {
    write_presence();
    read_presence();
  });
  chat_.signal_through([this](const chat_signal& signal) { send(signal); });
  chat_.presence_elsewhere(&board_);
  connections_.tell_session_ends([this](const connection_manager::session_end& end) {
    bus_.publish_signal(encode_session_end(end, origin_));
  });
}

// The chat may outlive this (the server's members go in reverse order).
node_signals::~node_signals() {
  stop();
  chat_.signal_through(nullptr);
  chat_.presence_elsewhere(nullptr);
  connections_.tell_session_ends(nullptr);
}

void node_signals::start() { schedule(); }

// The key is left to expire: users of a node that is restarted come back through another node
// or this one within `expiry`, and nobody sees them leave and return.
void node_signals::stop() {
  stopped_ = true;
  timer_.cancel();
}

void node_signals::send(const chat_signal& signal) {
  std::uint64_t version = 0;
  if (signal.what == chat_signal::kind::presence) version = ++version_;
  bus_.publish_signal(encode_signal(signal, origin_, version));
}

void node_signals::receive(std::string_view payload) {
  auto received = decode_signal(payload);
  if (!received) {
    if (const auto ended = decode_session_end(payload)) {
      if (ended->origin != origin_) connections_.apply(ended->end);
      return;
    }
    spdlog::warn("bus: a signal this node does not understand ({} bytes), ignored", payload.size());
    return;
  }
  if (received->origin == origin_) return;  // this node's own, already done here
  const auto& signal = received->signal;
  try {
    if (signal.what == chat_signal::kind::presence) {
      chat_.presence_changed(board_.change(received->origin, received->version,
                                           {signal.user_id, signal.username}, signal.active));
      return;
    }
    chat_.receive_signal(signal);
  } catch (const std::exception& e) {
    spdlog::error("bus: a signal from node {} failed: {}", received->origin, e.what());
  }
}

void node_signals::write_presence() {
  const auto value = encode_presence({version_, chat_.online_here()});
  const auto expiry = std::to_string(options_.expiry.count());
  const auto key = options_.key_prefix + origin_;
  bus_.command({"SET", key, value, "PX", expiry}, [](const redis_reply*) {});
  bus_.command({"SADD", options_.nodes_key, origin_}, [](const redis_reply*) {});
}

// Every node's key, through the set of nodes that ever wrote one (an expired key's node is
// taken out of it here).
void node_signals::read_presence() {
  const auto read = board_.begin_read();
  const std::weak_ptr<bool> alive = alive_;
  const bool sent =
      bus_.command({"SMEMBERS", options_.nodes_key}, [this, alive, read](const redis_reply* reply) {
        if (alive.expired() || reply == nullptr) return;
        std::vector<std::string> nodes;
        for (const auto& element : reply->elements) {
          if (element.type == redis_reply::kind::string) {
            nodes.push_back(element.text);
          }
        }
        read_snapshots(std::move(nodes), read);
      });
  if (!sent) forget_all_if_stale();
}

void node_signals::read_snapshots(std::vector<std::string> nodes, std::uint64_t read) {
  if (nodes.empty()) {
    last_read_ = std::chrono::steady_clock::now();
    return chat_.presence_changed(board_.forget_missing({}, read));
  }
  std::vector<std::string> args{"MGET"};
  for (const auto& node : nodes) args.push_back(options_.key_prefix + node);
  const std::vector<std::string_view> views(args.begin(), args.end());
  const std::weak_ptr<bool> alive = alive_;
  bus_.command(views, [this, alive, nodes = std::move(nodes), read](const redis_reply* reply) {
    if (alive.expired() || reply == nullptr || reply->elements.size() != nodes.size()) return;
    last_read_ = std::chrono::steady_clock::now();
    std::set<std::string> live;
    std::vector<std::int64_t> changed;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      const auto& node = nodes[i];
      const auto& value = reply->elements[i];
      if (value.type != redis_reply::kind::string) {
        bus_.command({"SREM", options_.nodes_key, node}, [](const redis_reply*) {});
        continue;
      }
      live.insert(node);
      if (node == origin_) continue;
      const auto snapshot = decode_presence(value.text);
      if (!snapshot) continue;
      const auto now = board_.snapshot(node, snapshot->version, snapshot->users);
      changed.insert(changed.end(), now.begin(), now.end());
    }
    const auto gone = board_.forget_missing(live, read);
    changed.insert(changed.end(), gone.begin(), gone.end());
    chat_.presence_changed(changed);
  });
}

// Without Redis for longer than the expiry, this node cannot know who is still online
// elsewhere: it shows only its own users, as every other node's key would have expired.
void node_signals::forget_all_if_stale() {
  if (std::chrono::steady_clock::now() - last_read_ < options_.expiry) return;
  chat_.presence_changed(board_.forget_missing({}, board_.begin_read()));
}

void node_signals::schedule() {
  timer_.expires_after(options_.expiry / 3);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    write_presence();
    read_presence();
    schedule();
  });
}

}  // namespace chatterbox
