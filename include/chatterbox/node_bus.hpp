#pragma once

#include "chatterbox/bus/redis_bus.hpp"
#include "chatterbox/bus/redis_endpoint.hpp"
#include "chatterbox/chat/chat_service.hpp"
#include "chatterbox/node_signals.hpp"
#include "chatterbox/store/pg_chat_store.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <string>

namespace chatterbox {

// The bus between nodes (--bus redis://…, docs/scale-out.md) wired to this node's chat: every
// change the chat commits is published, and every node's changes come back to the chat in seq
// order, each once, gaps filled from the shared PostgreSQL store. Typing, receipts and presence
// go along as signals (node_signals).
class node_bus {
 public:
  // `delivered`: the seq this node's chat has delivered up to (what it loaded);
  // `presence_expiry`: how soon the users of a node that stopped answering go offline.
  node_bus(boost::asio::io_context& io, redis_endpoint endpoint, pg_chat_store& store,
           chat_service& chat, connection_manager& connections, std::int64_t delivered,
           std::chrono::milliseconds presence_expiry);
  ~node_bus();
  node_bus(const node_bus&) = delete;
  node_bus& operator=(const node_bus&) = delete;

  void start();
  void stop();

  const std::string& origin() const { return origin_; }
  const redis_bus& bus() const { return bus_; }
  const node_signals& signals() const { return signals_; }

 private:
  // The store's side of redis_bus::store_access.
  void latest_seq(std::function<void(std::optional<std::int64_t>)> then);
  void events_after(std::int64_t after, std::function<void(redis_bus::fetched)> then);
  void deliver(const bus_event& event);

  pg_chat_store& store_;
  chat_service& chat_;
  std::string origin_;  // this process among the nodes, new at every start
  redis_bus bus_;
  node_signals signals_;
};

}  // namespace chatterbox
