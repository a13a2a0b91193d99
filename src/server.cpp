#include "chatterbox/server.hpp"

#include "chatterbox/clock.hpp"
#include "chatterbox/observability/metrics.hpp"

#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>
#include <stdexcept>

namespace chatterbox {
namespace {

constexpr auto drain_limit = std::chrono::seconds(10);

// A presence snapshot older than this is from a server that stayed down: its users' clients
// are not about to reconnect, so they are not assumed online.
constexpr auto presence_snapshot_lifetime = std::chrono::minutes(10);

using std::chrono::duration_cast;
using std::chrono::milliseconds;

}  // namespace

namespace {

chat_limits limits_of(const server_config& config) {
  return chat_limits{config.typing_timeout, config.message_rate, config.message_burst,
                     config.signal_rate, config.signal_burst, config.query_rate,
                     config.query_burst, config.send_queue_bytes / 4,
                     duration_cast<milliseconds>(config.presence_grace)};
}

}  // namespace

server::server(server_config config)
    : config_(std::move(config)),
      sqlite_(config_.postgres_url ? nullptr : std::make_unique<sqlite_node>(io_, config_)),
      postgres_(config_.postgres_url ? std::make_unique<postgres_node>(io_, config_)
                                     : nullptr),
      hasher_(io_, argon2_cost{config_.argon2_ops, config_.argon2_mem_kib * 1024},
              config_.hash_threads, config_.max_pending_logins),
      files_(config_.web_dir),
      keepalive_(io_, config_.idle_timeout, config_.write_timeout),
      tls_(config_.tls_cert ? std::make_unique<tls_context_store>(
                                  tls_files{*config_.tls_cert, *config_.tls_key})
                            : nullptr),
      signals_(io_, SIGINT, SIGTERM),
      reload_signals_(io_, SIGHUP),
      stall_probe_(io_) {
  const auto account_created = [this](std::int64_t id, const std::string& name,
                                      std::int64_t seq) { chat_->add_user(id, name, seq); };
  if (config_.redis_url && !postgres_) {
    throw std::runtime_error("--bus redis://... needs --store postgres://...: the nodes share "
                             "their data there");
  }
  if (postgres_) {
    auto& pg = *postgres_;
    chat_.emplace(io_, pg.chat, pg.rooms, std::move(pg.loaded), connections_, limits_of(config_),
                  [&pg](std::string sha256) { pg.files.remove_blob(std::move(sha256)); });
    if (config_.redis_url) {
      std::string why;
      auto endpoint = parse_redis_url(*config_.redis_url, why);
      if (!endpoint) throw std::runtime_error("--bus: " + why);
      spdlog::info("bus: {}", endpoint->display());
      bus_ = std::make_unique<node_bus>(io_, std::move(*endpoint), pg.chat, *chat_, connections_,
                                        chat_->current_seq(), config_.presence_expiry);
    }
    if (!bus_) {
      const auto since =
          epoch_ms() - duration_cast<milliseconds>(presence_snapshot_lifetime).count();
      chat_->assume_online(pg.take_presence(io_, since));
    }
    handler_.emplace(request_handler::services{
        config_, pg.sessions, pg.admin, *chat_, hasher_, connections_, files_, account_created,
        file_services{pg.uploads, pg.files,
                      [this](std::int64_t room, std::int64_t user_id) {
                        return chat_->is_member(room, user_id);
                      }},
        &pg.exports});
  } else {
    auto& node = *sqlite_;
    chat_.emplace(io_, node.chat(), connections_, limits_of(config_));
    handler_.emplace(request_handler::services{
        config_, node.sessions, node.admin, *chat_, hasher_, connections_, files_,
        account_created,
        file_services{node.uploads, node.files,
                      [this](std::int64_t room, std::int64_t user_id) {
                        return chat_->is_member(room, user_id);
                      }},
        &node.exports});
    try {
      const auto purged = node.tokens.purge_expired(epoch_ms());
      if (purged > 0) spdlog::info("removed {} expired tokens", purged);
    } catch (const std::exception& e) {
      spdlog::warn("cannot remove expired tokens now: {}", e.what());  // they stay invalid anyway
    }
    restore_presence();
    node.db.never_wait_for_locks();
  }

  const auto address = boost::asio::ip::make_address(config_.address);
  listener_ = std::make_shared<listener>(
      io_, boost::asio::ip::tcp::endpoint{address, config_.port},
      http_session_services{
          *handler_, *chat_, http_sessions_,
          http_limits{config_.max_body_bytes, config_.max_header_bytes, config_.request_timeout},
          websocket_limits{config_.max_frame_bytes, config_.send_queue_frames,
                           config_.send_queue_bytes, config_.idle_timeout, config_.write_timeout,
                           static_cast<double>(config_.inbound_frame_rate),
                           static_cast<double>(config_.inbound_byte_rate)},
          keepalive_, tls_.get(), config_.tls_handshake_timeout},
      accept_limits{.pending_handshakes = config_.max_pending_handshakes,
                    .handshake_hold = config_.handshake_hold});
  if (config_.http_redirect_port) {
    https_redirect_target to;
    if (config_.public_url && config_.public_url->starts_with("https://")) {
      const auto& url = *config_.public_url;
      to.public_origin = url.substr(0, url.find('/', std::string_view("https://").size()));
    }
    to.https_port = listener_->local_endpoint().port();
    redirect_ = std::make_shared<redirect_listener>(
        io_, boost::asio::ip::tcp::endpoint{address, *config_.http_redirect_port}, std::move(to),
        redirect_limits{.max_connections = config_.max_pending_handshakes * 8,
                        .max_header_bytes = config_.max_header_bytes});
  }
}

server::~server() {
  // Disk work still in flight posts its completion to the loop: let it, so that the shutdown
  // below destroys those handlers too.
  if (sqlite_) sqlite_->files.stop();
  if (postgres_) postgres_->files.stop();
  // Handlers still queued (after an abnormal end of run()) keep sessions alive, and a session
  // leaves the chat in its destructor: destroy them now, while the services they call exist.
  io_.shutdown();
  if (watchdog_.joinable()) {
    {
      std::lock_guard lock(watchdog_mutex_);
      drained_ = true;
    }
    watchdog_wake_.notify_all();
    watchdog_.join();
  }
}

void server::run() {
  const auto endpoint = listener_->local_endpoint();
  listener_->run();
  if (redirect_) {
    redirect_->run();
    const auto plain = redirect_->local_endpoint();
    spdlog::info("redirecting http://{}:{} to https", plain.address().to_string(), plain.port());
  }
  if (sqlite_) sqlite_->sweeper.start();
  if (postgres_) postgres_->sweeper.start();
  if (bus_) bus_->start();
  wait_for_signal();
  wait_for_reload_signal();
  probe_loop_stall();
  spdlog::info("listening on {}://{}:{} (database {})", tls_ ? "https" : "http",
               endpoint.address().to_string(), endpoint.port(),
               postgres_ ? "on PostgreSQL" : config_.db_path);
  for (;;) {
    try {
      io_.run();
      break;
    } catch (const std::exception& e) {
      // Every handler is meant to catch its own failures; one that did not is a bug, but it
      // must cost one request, not the process and everyone's connection.
      ++metrics().handler_exceptions;
      spdlog::critical("unhandled exception in an event handler (please report): {}", e.what());
    }
  }
  {
    std::lock_guard lock(watchdog_mutex_);
    drained_ = true;
  }
  watchdog_wake_.notify_all();
  spdlog::info("stopped");
}

void server::wait_for_signal() {
  signals_.async_wait([this](boost::system::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}, shutting down", signal);
    shutdown();
  });
}

bool server::reload_tls() { return tls_ && tls_->reload(); }

void server::wait_for_reload_signal() {
  // `systemctl reload` (and a certbot deploy hook) sends SIGHUP, whose default action would end
  // the server: it is always caught. With TLS it reloads the certificate; nothing else is
  // reloaded — other settings take effect at a restart.
  reload_signals_.async_wait([this](boost::system::error_code ec, int) {
    if (ec) return;
    if (tls_) {
      spdlog::info("received SIGHUP, reloading the TLS certificate");
      reload_tls();
    } else {
      spdlog::info("received SIGHUP: nothing to reload; settings take effect at a restart");
    }
    wait_for_reload_signal();
  });
}

void server::probe_loop_stall() {
  // A timer that fires late measures how long the loop was busy with something else — a slow
  // commit, a checkpoint, a huge broadcast — which is latency every client felt.
  constexpr auto period = std::chrono::milliseconds(100);
  const auto due = std::chrono::steady_clock::now() + period;
  stall_probe_.expires_at(due);
  stall_probe_.async_wait([this, due](boost::system::error_code ec) {
    if (ec) return;
    const auto late = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - due);
    auto& m = metrics();
    if (late > m.max_loop_stall) {
      m.max_loop_stall = late;
      if (late > std::chrono::milliseconds(50)) {
        spdlog::warn("event loop stalled for {} ms", late.count() / 1000);
      }
    }
    probe_loop_stall();
  });
}

void server::shutdown() {
  if (stopping_) return;
  stopping_ = true;
  stall_probe_.cancel();
  if (sqlite_) sqlite_->sweeper.stop();
  if (postgres_) postgres_->sweeper.stop();
  start_watchdog();
  boost::system::error_code ignored;
  signals_.cancel(ignored);
  // Still registered, so a late SIGHUP (a renewal hook during shutdown) cannot kill the process.
  reload_signals_.cancel(ignored);
  listener_->stop();
  if (redirect_) redirect_->stop();
  save_presence();
  keepalive_.stop();
  connections_.close_all(1001, "server shutting down");
  http_sessions_.shutdown_all();
  hasher_.stop();
  // From here the loop ends by itself once every session has closed and the last batch of
  // writes has committed.
}

void server::restore_presence() {
  try {
    const auto since = epoch_ms() - duration_cast<milliseconds>(presence_snapshot_lifetime).count();
    const auto users = sqlite_->presence.take(since);
    chat_->assume_online(users);
    if (!users.empty()) spdlog::info("{} users were online before the restart", users.size());
  } catch (const std::exception& e) {
    spdlog::warn("cannot read the presence snapshot: {}", e.what());  // only cosmetic
  }
}

void server::save_presence() {
  // Stopping the chat first: the connections closed from here on announce nobody as gone.
  auto online = chat_->stop();
  if (postgres_) {
    // Its last writes still commit (other nodes learn of them from the store, if not from the
    // bus); then its connections close so the loop can end.
    if (bus_) {
      bus_->stop();
    } else {
      postgres_->save_presence(online, epoch_ms());
    }
    postgres_->writes.stop();
    return;
  }
  sqlite_->writes.submit(
      [this, online = std::move(online)] { sqlite_->presence.save(online, epoch_ms()); },
      [](bool stored) {
        if (!stored) spdlog::warn("could not save who is online for the next start");
      });
}

void server::start_watchdog() {
  watchdog_ = std::thread([this] {
    std::unique_lock lock(watchdog_mutex_);
    if (watchdog_wake_.wait_for(lock, drain_limit, [this] { return drained_; })) return;
    spdlog::error("shutdown did not finish within {} s; exiting now", drain_limit.count());
    spdlog::default_logger()->flush();
    // Committed data is already safe in the WAL; nothing else is worth waiting for.
    std::quick_exit(0);
  });
}

}  // namespace chatterbox
