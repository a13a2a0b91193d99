#include "chatterbox/postgres/pg_connection.hpp"

#include <libpq-fe.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <utility>

namespace chatterbox {

namespace asio = boost::asio;

namespace {

std::string error_of(const pg_conn* conn) {
  std::string message = PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

pg_result copy_result(const PGresult* result) {
  pg_result out;
  switch (PQresultStatus(result)) {
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK:
      out.ok = true;
      break;
    case PGRES_PIPELINE_ABORTED:
      out.aborted = true;
      out.error = "not run: an earlier statement of the pipeline failed";
      return out;
    default: {
      out.error = PQresultErrorMessage(result);
      while (!out.error.empty() && out.error.back() == '\n') out.error.pop_back();
      if (const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE)) out.sqlstate = state;
      return out;
    }
  }
  const int rows = PQntuples(result);
  const int columns = PQnfields(result);
  out.rows.reserve(static_cast<std::size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    auto& row = out.rows.emplace_back();
    row.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(result, r, c)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(PQgetvalue(result, r, c),
                                     static_cast<std::size_t>(PQgetlength(result, r, c))));
      }
    }
  }
  const std::string_view affected = PQcmdTuples(const_cast<PGresult*>(result));
  for (const char digit : affected) out.affected = out.affected * 10 + (digit - '0');
  return out;
}

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

// libpq's socket, watched by Asio. libpq owns the descriptor (and may replace it while it tries
// another address), so it is released rather than closed.
struct pg_connection::watcher {
  watcher(asio::io_context& io, int fd) : descriptor(io, fd) {}
  ~watcher() {
    if (descriptor.is_open()) descriptor.release();
  }
  asio::posix::stream_descriptor descriptor;
  bool reading = false;
  bool writing = false;
};

std::shared_ptr<pg_connection> pg_connection::create(asio::io_context& io, std::string conninfo,
                                                     options opts, handlers on) {
  return std::shared_ptr<pg_connection>(
      new pg_connection(io, std::move(conninfo), opts, std::move(on)));
}

pg_connection::pg_connection(asio::io_context& io, std::string conninfo, options opts,
                             handlers on)
    : io_(io),
      conninfo_(std::move(conninfo)),
      options_(opts),
      handlers_(std::move(on)),
      resolver_(io),
      connect_timer_(io) {}

pg_connection::~pg_connection() { close(); }

void pg_connection::start() {
  if (state_ != state::idle) return;
  connect_timer_.expires_after(options_.connect_timeout);
  connect_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (ec || !self || self->state_ == state::ready || self->state_ == state::finished) return;
    self->fail("no connection within " + std::to_string(self->options_.connect_timeout.count()) +
               " ms");
  });
  resolve_then_connect();
}

// One host given by name (the usual case): resolved here, so libpq never looks it up itself.
// A socket directory, an address, several hosts or a hostaddr already given go to libpq as they
// are.
void pg_connection::resolve_then_connect() {
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(conninfo_.c_str(), &error);
  if (parsed == nullptr) {
    const std::string why = error != nullptr ? error : "out of memory";
    PQfreemem(error);
    fail("bad connection string: " + why);
    return;
  }
  std::string host, hostaddr, port = "5432";
  for (auto* option = parsed; option->keyword != nullptr; ++option) {
    if (option->val == nullptr) continue;
    const std::string_view keyword = option->keyword;
    if (keyword == "host") host = option->val;
    if (keyword == "hostaddr") hostaddr = option->val;
    if (keyword == "port") port = option->val;
  }
  PQconninfoFree(parsed);
  const bool by_name = !host.empty() && host[0] != '/' && host[0] != '@' &&
                       host.find(',') == std::string::npos && hostaddr.empty() &&
                       !is_ip_literal(host) && port.find(',') == std::string::npos;
  if (!by_name) {
    connect("");
    return;
  }
  state_ = state::resolving;
  resolver_.async_resolve(host, port,
                          [weak = weak_from_this(), host](
                              const boost::system::error_code& ec,
                              const asio::ip::tcp::resolver::results_type& results) {
                            auto self = weak.lock();
                            if (!self || self->state_ != state::resolving) return;
                            if (ec || results.empty()) {
                              self->fail("cannot resolve " + host + ": " + ec.message());
                              return;
                            }
                            self->connect(results.begin()->endpoint().address().to_string());
                          });
}

void pg_connection::connect(const std::string& hostaddr) {
  state_ = state::connecting;
  // The connection string as given, plus the resolved address: expand_dbname lets `dbname`
  // carry the whole string (URI or key=value), and later keywords override what it says.
  std::vector<const char*> keywords{"dbname"};
  std::vector<const char*> values{conninfo_.c_str()};
  if (!hostaddr.empty()) {
    keywords.push_back("hostaddr");
    values.push_back(hostaddr.c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  conn_ = PQconnectStartParams(keywords.data(), values.data(), 1);
  if (conn_ == nullptr) {
    fail("out of memory");
    return;
  }
  if (PQstatus(conn_) == CONNECTION_BAD) {
    fail("cannot connect: " + error_of(conn_));
    return;
  }
  PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);  // notices are not errors
  poll_connect();
}

void pg_connection::poll_connect() {
  if (state_ != state::connecting) return;
  const auto step = PQconnectPoll(conn_);
  watch_socket();
  switch (step) {
    case PGRES_POLLING_READING:
      wait_for(asio::posix::descriptor_base::wait_read, &pg_connection::poll_connect);
      return;
    case PGRES_POLLING_WRITING:
      wait_for(asio::posix::descriptor_base::wait_write, &pg_connection::poll_connect);
      return;
    case PGRES_POLLING_OK:
      if (PQsetnonblocking(conn_, 1) != 0 || PQenterPipelineMode(conn_) != 1) {
        fail("cannot enter pipeline mode: " + error_of(conn_));
        return;
      }
      state_ = state::ready;
      connect_timer_.cancel();
      on_readable();  // anything the server already sent, and keep reading from now on
      if (state_ == state::ready && handlers_.connected) handlers_.connected();
      return;
    default:
      fail("cannot connect: " + error_of(conn_));
  }
}

// libpq may open a new socket for each address it tries: follow it.
void pg_connection::watch_socket() {
  const int fd = PQsocket(conn_);
  if (watcher_ && watcher_->descriptor.native_handle() == fd) return;
  if (watcher_ && watcher_->descriptor.is_open()) watcher_->descriptor.release();
  watcher_ = fd >= 0 ? std::make_shared<watcher>(io_, fd) : nullptr;
}

bool pg_connection::query(std::string_view sql, const parameters& params, result_fn on_result) {
  if (state_ != state::ready) return false;
  std::size_t bytes = sql.size();
  for (const auto& p : params) bytes += p ? p->size() : 0;
  if (pending_statements_ >= options_.max_pending ||
      pending_bytes_ + bytes > options_.max_pending_bytes) {
    return false;
  }
  const std::string text(sql);
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  if (PQsendQueryParams(conn_, text.c_str(), static_cast<int>(params.size()), nullptr,
                        values.data(), nullptr, nullptr, 0) != 1) {
    fail("cannot send: " + error_of(conn_));
    return false;
  }
  waiting_.push_back({std::move(on_result), false, bytes});
  ++pending_statements_;
  pending_bytes_ += bytes;
  flush();
  return true;
}

bool pg_connection::sync(std::function<void(bool reached)> on_synced) {
  if (state_ != state::ready) return false;
  if (PQpipelineSync(conn_) != 1) {
    fail("cannot send: " + error_of(conn_));
    return false;
  }
  result_fn on_result;
  if (on_synced) {
    on_result = [on_synced = std::move(on_synced)](const pg_result* r) { on_synced(r != nullptr); };
  }
  waiting_.push_back({std::move(on_result), true, 0});
  flush();
  return true;
}

void pg_connection::flush() {
  if (state_ != state::ready) return;
  const int left = PQflush(conn_);
  if (left < 0) {
    fail("cannot send: " + error_of(conn_));
    return;
  }
  if (left == 1) wait_for(asio::posix::descriptor_base::wait_write, &pg_connection::flush);
}

void pg_connection::on_readable() {
  if (state_ != state::ready) return;
  if (PQconsumeInput(conn_) != 1) {
    fail("connection lost: " + error_of(conn_));
    return;
  }
  read_results();
  if (state_ == state::ready) {
    wait_for(asio::posix::descriptor_base::wait_read, &pg_connection::on_readable);
  }
}

// One wait per direction at a time, on the socket libpq has now; `then` runs when it is ready,
// unless the connection is gone or libpq has moved to another socket meanwhile.
void pg_connection::wait_for(asio::posix::descriptor_base::wait_type direction,
                             void (pg_connection::*then)()) {
  const bool read = direction == asio::posix::descriptor_base::wait_read;
  auto& armed = read ? watcher_->reading : watcher_->writing;
  if (armed) return;
  armed = true;
  watcher_->descriptor.async_wait(
      direction, [weak = weak_from_this(), w = watcher_, read, then](
                     const boost::system::error_code& ec) {
        (read ? w->reading : w->writing) = false;
        auto self = weak.lock();
        if (ec || !self || self->watcher_ != w) return;
        ((*self).*then)();
      });
}

// libpq's order in pipeline mode: each statement's result followed by a null, a sync point's
// PGRES_PIPELINE_SYNC alone.
void pg_connection::read_results() {
  auto weak = weak_from_this();
  while (state_ == state::ready && !waiting_.empty() && PQisBusy(conn_) == 0) {
    PGresult* result = PQgetResult(conn_);
    if (result == nullptr) {
      if (!current_) break;  // nothing more has arrived
      auto done = std::move(*current_);
      current_.reset();
      finish_front(done);
      if (weak.expired()) return;
      continue;
    }
    const auto status = PQresultStatus(result);
    if (status == PGRES_PIPELINE_SYNC) {
      PQclear(result);
      if (waiting_.front().is_sync) {
        auto on_synced = std::move(waiting_.front().on_result);
        waiting_.pop_front();
        if (on_synced) {
          static const pg_result reached{.ok = true};
          on_synced(&reached);
          if (weak.expired()) return;
        }
      }
      continue;
    }
    if (!current_ && !waiting_.front().is_sync) current_ = copy_result(result);
    PQclear(result);
  }
}

void pg_connection::finish_front(const pg_result& result) {
  auto front = std::move(waiting_.front());
  waiting_.pop_front();
  --pending_statements_;
  pending_bytes_ -= front.bytes;
  if (front.on_result) front.on_result(&result);
}

void pg_connection::fail(const std::string& why) {
  if (state_ == state::finished) return;
  state_ = state::finished;
  connect_timer_.cancel();
  resolver_.cancel();
  // Off the reactor before libpq closes the descriptor (its number may be reused at once).
  if (watcher_ && watcher_->descriptor.is_open()) watcher_->descriptor.release();
  watcher_.reset();
  if (conn_ != nullptr) {
    PQfinish(std::exchange(conn_, nullptr));
  }
  auto waiting = std::move(waiting_);
  waiting_.clear();
  pending_statements_ = 0;
  pending_bytes_ = 0;
  if (closing_) return;
  // Last, from copies: the owner may let go of this connection in `lost`.
  auto lost = std::move(handlers_.lost);
  for (auto& w : waiting) {
    if (w.on_result) w.on_result(nullptr);
  }
  if (lost) lost(why);
}

void pg_connection::close() {
  closing_ = true;
  handlers_ = {};
  fail("closed");
}

}  // namespace chatterbox
