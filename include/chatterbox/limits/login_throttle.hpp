#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

namespace chatterbox {

// Login throttling after OWASP's Authentication and Credential Stuffing cheat sheets (the rules
// and numbers are in docs/protocol.md, "Login throttling"):
// - failures, never successes, are counted, so strangers cannot lock anyone out and many people
//   behind one address can all log in;
// - per (username, address): a few free failures, then every attempt waits a delay that doubles
//   with each further failure, up to a cap; a success clears the pair;
// - per address: a much higher ceiling of failures per minute, whatever the usernames, and a cap
//   on its logins waiting for the password hasher.
// An admitted attempt counts as a failure until it is decided, so concurrent requests cannot slip
// past a limit while their passwords are being checked.
// Pure logic on a caller-given clock; the caller lower-cases nothing, this class does.
class login_throttle {
 public:
  using clock = std::chrono::steady_clock;

  struct policy {
    unsigned free_failures = 5;  // per (username, address) before attempts must wait
    std::chrono::milliseconds first_delay{1000};
    std::chrono::milliseconds max_delay{15 * 60 * 1000};
    // A pair without a failure for this long starts over.
    std::chrono::milliseconds forget_after{24 * 3600 * 1000};
    unsigned address_failures_per_minute = 100;  // also the burst
    std::size_t max_pending_per_address = 16;
    // Per table. When full, entries that carry no state go first, then those not currently
    // waiting: a flood of distinct keys may make the server forget, never refuse everyone.
    std::size_t max_keys = 100000;
  };

  enum class verdict {
    allowed,
    pair_waiting,        // this username from this address must wait
    address_over_limit,  // this address failed too often lately
    address_busy,        // this address has too many logins being checked already
  };
  struct decision {
    verdict outcome;
    std::chrono::milliseconds retry_after;  // zero when allowed
    bool allowed() const { return outcome == verdict::allowed; }
  };

  explicit login_throttle(policy p) : policy_(p) {}

  // Before checking a password. An allowed attempt must be followed by exactly one of
  // succeeded, failed or abandoned with the same username and address.
  decision admit(std::string_view username, std::string_view address, clock::time_point now);
  void succeeded(std::string_view username, std::string_view address, clock::time_point now);
  void failed(std::string_view username, std::string_view address, clock::time_point now);
  // The attempt ended without a verdict on the password (server busy, internal error).
  void abandoned(std::string_view username, std::string_view address, clock::time_point now);

  std::size_t tracked_pairs() const { return pairs_.size(); }
  std::size_t tracked_addresses() const { return addresses_.size(); }

 private:
  struct pair_state {
    unsigned failures = 0;
    unsigned pending = 0;
    clock::time_point last_failure{};
    clock::time_point waits_until{};
  };
  struct address_state {
    double failures = 0;  // decays at the per-minute rate
    clock::time_point updated{};
    std::size_t pending = 0;
  };

  static std::string pair_key(std::string_view username, std::string_view address);
  void decay(address_state& address, clock::time_point now) const;
  bool forgotten(const pair_state& pair, clock::time_point now) const;
  bool pair_stale(const pair_state& pair, clock::time_point now) const;
  bool address_stale(address_state& address, clock::time_point now) const;
  void release(std::string_view username, std::string_view address, clock::time_point now,
               bool failure, bool success);
  // Makes room for one more key in each table; false if nothing could be evicted.
  bool make_room(clock::time_point now);
  void sweep(clock::time_point now, bool evict);

  policy policy_;
  std::unordered_map<std::string, pair_state> pairs_;
  std::unordered_map<std::string, address_state> addresses_;
  std::size_t admits_since_sweep_ = 0;
};

}  // namespace chatterbox
