#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace chatterbox {

struct present_user {
  std::int64_t id = 0;
  std::string name;

  bool operator==(const present_user&) const = default;
};

// Who is online as everyone has been told. A user is announced online with their first
// connection; when their last one closes they stay online for a grace period and are announced
// gone only if they are still away at its end. A reload, a network blip or a server restart
// (see assume_online) then shows nothing at all instead of "bob left" and "bob joined".
//
// Announcements are never made from inside connected()/disconnected(): a "gone" is always
// announced from a timer, so a connection closed in the middle of a broadcast cannot overtake
// the event being broadcast.
class presence_tracker {
 public:
  using announce_fn = std::function<void(const present_user& user, bool online)>;

  presence_tracker(boost::asio::io_context& io, std::chrono::milliseconds grace,
                   announce_fn announce);

  // The user's first connection opened: announces them unless they are still announced online.
  void connected(const present_user& user);
  // The user's last connection closed: the grace period starts.
  void disconnected(const present_user& user);
  // Users who were online when the previous run of the server stopped: they count as having
  // just disconnected, so those who reconnect within the grace period were never gone.
  void assume_online(const std::vector<present_user>& users);

  // Everyone announced online (connected or within their grace period), sorted by name.
  std::vector<std::string> online_names() const;
  std::vector<present_user> online_users() const;
  std::size_t online_count() const { return users_.size(); }
  bool is_online(std::int64_t user_id) const { return users_.contains(user_id); }

  // Shutdown: no more announcements and no timer keeping the event loop alive.
  void stop();

 private:
  using clock = std::chrono::steady_clock;
  struct entry {
    std::string name;
    bool connected = false;
    std::uint64_t away_generation = 0;  // which away period a queued deadline belongs to
  };
  struct deadline {
    clock::time_point at;
    std::int64_t user_id;
    std::uint64_t generation;
  };

  void start_grace(std::int64_t user_id, entry& user);
  void arm();
  void expire();

  std::chrono::milliseconds grace_;
  announce_fn announce_;
  boost::asio::steady_timer timer_;
  std::map<std::int64_t, entry> users_;
  // In deadline order, since every grace period has the same length: one timer serves all.
  std::deque<deadline> deadlines_;
  std::uint64_t generations_ = 0;
  bool armed_ = false;
  bool stopped_ = false;
};

}  // namespace chatterbox
