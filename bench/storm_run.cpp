#include "storm_run.hpp"

#include "json_scan.hpp"

#include <boost/asio/ip/address_v4.hpp>

#include <algorithm>

namespace chatterbox::bench {
namespace {

constexpr auto retry_pause = std::chrono::milliseconds(100);

}  // namespace

storm_run::storm_run(bench_options options, std::vector<std::string> tokens)
    : o_(std::move(options)), tokens_(std::move(tokens)), deadline_(io_) {
  clients_.resize(tokens_.size());
}

std::size_t storm_run::open_count() const {
  std::size_t n = 0;
  for (const auto& c : clients_) n += c.connection && c.connection->is_open() ? 1 : 0;
  return n;
}

void storm_run::run_until(clock::time_point deadline) {
  deadline_.expires_at(deadline);
  deadline_.async_wait([this](boost::system::error_code ec) {
    if (!ec) io_.stop();
  });
  io_.restart();
  io_.run();
  deadline_.cancel();
  // Let the cancelled wait complete, so the next wave starts with no stale handler.
  io_.restart();
  io_.poll();
}

void storm_run::check_done() {
  if (mode_ == mode::connecting && live_ == clients_.size()) io_.stop();
  if (mode_ != mode::connecting && closed_ == clients_.size()) io_.stop();
}

storm_run::wave_result storm_run::connect_all(std::uint16_t port,
                                              std::chrono::milliseconds timeout) {
  wave_result result;
  wave_ = &result;
  mode_ = mode::connecting;
  port_ = port;
  live_ = 0;
  closed_ = 0;
  wave_start_ = clock::now();
  last_live_ = wave_start_;
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    clients_[i].live = false;
    clients_[i].first_attempt = wave_start_;
    attempt(i);
  }
  if (!clients_.empty()) run_until(wave_start_ + timeout);
  result.live = live_;
  result.all_live_s = std::chrono::duration<double>(
                          (live_ == clients_.size() ? last_live_ : clock::now()) - wave_start_)
                          .count();
  wave_ = nullptr;
  return result;
}

void storm_run::attempt(std::size_t index) {
  connection_target target;
  target.host = o_.host;
  target.port = port_;
  target.token = tokens_[index];
  target.setup_timeout = std::chrono::milliseconds(static_cast<long>(o_.timeout_s * 1000));
  target.ping_idle = std::chrono::milliseconds(static_cast<long>(o_.ping_idle_s * 1000));
  const std::size_t sources = std::max<std::size_t>(1, o_.source_addresses);
  if (sources > 1) {
    target.source = boost::asio::ip::address_v4(0x7f000001u + static_cast<unsigned>(index % sources));
  }
  auto& c = clients_[index];
  c.closed = false;
  c.connection = std::make_shared<ws_connection>(io_, *this, index);
  c.connection->start(target);
}

void storm_run::on_open(ws_connection&) {}

void storm_run::on_frame(ws_connection& c, std::string_view frame) {
  auto& client = clients_[c.index()];
  if (client.live || mode_ != mode::connecting) return;
  bool hello = false;
  for_each_event(frame, [&](std::string_view event) {
    if (find_string(event, "type") == std::string_view("hello")) hello = true;
  });
  if (!hello) return;
  client.live = true;
  ++live_;
  last_live_ = clock::now();
  if (wave_) wave_->connect_to_hello.record(micros(last_live_ - client.first_attempt));
  check_done();
}

void storm_run::on_closed(ws_connection& c, const std::string& why, bool expected, bool) {
  const std::size_t index = c.index();
  auto& client = clients_[index];
  if (client.connection.get() != &c) return;  // an older attempt
  client.closed = true;
  ++closed_;
  if (mode_ == mode::connecting) {
    if (client.live) {
      // Live, then dropped during the wave: count it and bring it back.
      --live_;
      client.live = false;
    }
    if (wave_) {
      ++wave_->failures[why];
      ++wave_->retries;
    }
    // Retry after a pause, as a client would (the server may not be listening yet, or busy).
    auto timer = std::make_shared<boost::asio::steady_timer>(io_, retry_pause);
    timer->async_wait([this, index, timer](boost::system::error_code ec) {
      if (!ec && mode_ == mode::connecting && clients_[index].closed) attempt(index);
    });
    return;
  }
  if (!expected) ++close_reasons_[why];
  check_done();
}

std::map<std::string, std::size_t> storm_run::wait_all_closed(std::chrono::milliseconds timeout) {
  mode_ = mode::awaiting_close;
  close_reasons_.clear();
  closed_ = 0;
  for (const auto& c : clients_) closed_ += c.closed ? 1 : 0;
  if (closed_ < clients_.size()) run_until(clock::now() + timeout);
  return close_reasons_;
}

void storm_run::close_all(std::chrono::milliseconds timeout) {
  mode_ = mode::closing;
  closed_ = 0;
  for (auto& c : clients_) {
    if (c.closed) {
      ++closed_;
    } else {
      c.connection->close();
    }
  }
  if (closed_ < clients_.size()) run_until(clock::now() + timeout);
}

}  // namespace chatterbox::bench
