#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/descriptor_base.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;

namespace chatterbox {

// A statement's outcome, copied out of libpq's PGresult (values as text).
struct pg_result {
  bool ok = false;
  std::string error{};   // when !ok: the server's message (or why the statement did not run)
  std::string sqlstate{};  // when !ok and the server said: "23505" for a unique violation, ...
  bool aborted = false;  // !ok because an earlier statement of the same pipeline segment failed
  std::vector<std::vector<std::optional<std::string>>> rows{};
  std::int64_t affected = 0;  // rows inserted, updated or deleted

  const std::optional<std::string>& value(std::size_t row, std::size_t column) const {
    return rows.at(row).at(column);
  }
};

// One connection to PostgreSQL driven by the event loop: libpq in non-blocking pipeline mode,
// its socket watched through Asio, so connecting, a statement or a slow server never blocks the
// loop. A host name is resolved by Asio and handed to libpq as `hostaddr` (libpq would block on
// getaddrinfo).
//
// Statements are pipelined: each query() is sent at once, and results come back in the order
// sent. The statements up to a sync() are one transaction (PostgreSQL's implicit transaction of
// a pipeline segment), committed at the sync; a failed statement undoes its segment and the
// statements after it in the segment are answered with `aborted`. A group commit is its
// statements followed by sync(). (Not BEGIN … COMMIT: after a failure inside an explicit
// transaction, the sync would leave the connection in that failed transaction.)
//
// When the connection is lost (or never made), every statement still waiting is answered once
// with `nullptr`, then `lost` is called once; the connection is finished and its owner makes a
// new one. The owner may let go of it in `lost` (or later), not in a result callback. What a
// slow server can make the node hold is bounded by `max_pending` statements and
// `max_pending_bytes` of their text and parameters: beyond them query() refuses at once.
class pg_connection : public std::enable_shared_from_this<pg_connection> {
 public:
  using result_fn = std::function<void(const pg_result* result)>;  // nullptr: connection lost
  using parameters = std::vector<std::optional<std::string>>;      // nullopt: SQL NULL

  struct options {
    std::chrono::milliseconds connect_timeout{5000};
    std::size_t max_pending = 65536;
    std::size_t max_pending_bytes = 64u << 20;
  };
  struct handlers {
    std::function<void()> connected;
    std::function<void(const std::string& why)> lost;
  };

  // `conninfo`: a libpq connection string or postgres:// URI.
  static std::shared_ptr<pg_connection> create(boost::asio::io_context& io, std::string conninfo,
                                               options opts, handlers on);
  ~pg_connection();
  pg_connection(const pg_connection&) = delete;
  pg_connection& operator=(const pg_connection&) = delete;

  void start();
  bool connected() const { return state_ == state::ready; }

  bool query(std::string_view sql, const parameters& params, result_fn on_result);
  // Ends the pipeline segment: its statements commit (or, after a failed one, are undone).
  // `on_synced(true)` once the server has done so; false when the connection was lost first
  // (whether the segment committed is then unknown).
  bool sync(std::function<void(bool reached)> on_synced = nullptr);
  // Closes without calling `lost` or any result callback.
  void close();

  std::size_t pending() const { return pending_statements_; }

 private:
  enum class state { idle, resolving, connecting, ready, finished };
  struct watcher;
  struct waiting {
    result_fn on_result;  // for a sync point: called with a result (reached) or nullptr (lost)
    bool is_sync = false;
    std::size_t bytes = 0;
  };

  pg_connection(boost::asio::io_context& io, std::string conninfo, options opts, handlers on);
  void resolve_then_connect();
  void connect(const std::string& hostaddr);
  void poll_connect();
  void watch_socket();
  void wait_for(boost::asio::posix::descriptor_base::wait_type direction,
                void (pg_connection::*then)());
  void on_readable();
  void flush();
  void read_results();
  void finish_front(const pg_result& result);
  void fail(const std::string& why);

  boost::asio::io_context& io_;
  std::string conninfo_;
  options options_;
  handlers handlers_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer connect_timer_;
  std::shared_ptr<watcher> watcher_;
  pg_conn* conn_ = nullptr;
  state state_ = state::idle;
  bool closing_ = false;
  std::deque<waiting> waiting_;
  std::optional<pg_result> current_;  // the front statement's result, until libpq's end marker
  std::size_t pending_statements_ = 0;
  std::size_t pending_bytes_ = 0;
};

}  // namespace chatterbox
