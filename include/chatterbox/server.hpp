#pragma once

#include "chatterbox/auth/password_hasher.hpp"
#include "chatterbox/chat/chat_service.hpp"
#include "chatterbox/chat/connection_manager.hpp"
#include "chatterbox/config.hpp"
#include "chatterbox/http/http_session.hpp"
#include "chatterbox/http/listener.hpp"
#include "chatterbox/http/redirect_listener.hpp"
#include "chatterbox/http/request_handler.hpp"
#include "chatterbox/http/static_files.hpp"
#include "chatterbox/node_bus.hpp"
#include "chatterbox/node_stores.hpp"
#include "chatterbox/tls/tls_context_store.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace chatterbox {

// The io_context, with a way to destroy pending handlers (and the sessions they keep alive)
// before the services those sessions use are destroyed.
class event_loop : public boost::asio::io_context {
 public:
  event_loop() : boost::asio::io_context(1) {}
  using boost::asio::io_context::shutdown;
};

// The whole server on one io_context thread. Construction opens the database and binds the
// port (and throws if either fails); run() serves until SIGINT/SIGTERM and a graceful drain.
class server {
 public:
  explicit server(server_config config);
  ~server();

  boost::asio::ip::tcp::endpoint endpoint() const { return listener_->local_endpoint(); }
  void run();
  // Reads the TLS certificate and key again (what SIGHUP does): new connections use them,
  // open ones keep theirs; files that cannot be used leave the current ones in place.
  bool reload_tls();
  // Graceful stop, as on SIGTERM: stop accepting, close WebSockets with 1001, drain, return.
  void shutdown();

 private:
  void wait_for_signal();
  void wait_for_reload_signal();
  void probe_loop_stall();
  void start_watchdog();
  void restore_presence();
  void save_presence();

  server_config config_;
  event_loop io_;
  // Exactly one: where this node keeps its data (--store).
  std::unique_ptr<sqlite_node> sqlite_;
  std::unique_ptr<postgres_node> postgres_;
  password_hasher hasher_;
  connection_manager connections_;
  std::optional<chat_service> chat_;
  std::unique_ptr<node_bus> bus_;  // --bus redis://
  static_files files_;
  std::optional<request_handler> handler_;
  http_session_registry http_sessions_;
  websocket_keepalive keepalive_;
  std::unique_ptr<tls_context_store> tls_;  // with --tls-cert: the context new connections use
  std::shared_ptr<listener> listener_;
  std::shared_ptr<redirect_listener> redirect_;  // --http-redirect-port
  boost::asio::signal_set signals_;
  boost::asio::signal_set reload_signals_;  // SIGHUP: systemctl reload; the TLS certificate
  boost::asio::steady_timer stall_probe_;
  bool stopping_ = false;

  // Last resort if draining ever hangs: a SIGTERM must end the process within seconds.
  std::thread watchdog_;
  std::mutex watchdog_mutex_;
  std::condition_variable watchdog_wake_;
  bool drained_ = false;
};

}  // namespace chatterbox
