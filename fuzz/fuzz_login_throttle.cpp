// libFuzzer harness: login_throttle as a state machine. Each input byte is one step — an
// attempt admitted or refused, an outcome (success, failure, abandoned) for an attempt in
// progress, or time passing — over a few usernames (in several spellings) and addresses, with
// tables small enough that eviction runs. Asserts the promises docs/protocol.md makes.
#include "chatterbox/limits/login_throttle.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace chatterbox;
using namespace std::chrono_literals;

void require(bool condition) {
  if (!condition) std::abort();
}

constexpr std::array<const char*, 5> usernames = {"alice", "Alice", "ALICE", "bob", "carol"};
constexpr std::array<const char*, 6> addresses = {"192.0.2.1", "192.0.2.2", "2001:db8:1:2::/64",
                                                  "198.51.100.7", "203.0.113.9", "10.0.0.1"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  login_throttle::policy policy;
  policy.free_failures = 3;
  policy.first_delay = 1s;
  policy.max_delay = 30s;
  policy.forget_after = 1h;
  policy.address_failures_per_minute = 6;
  policy.max_pending_per_address = 3;
  policy.max_keys = 8;
  login_throttle throttle(policy);
  auto now = login_throttle::clock::time_point{} + 1000h;
  std::vector<std::pair<std::string, std::string>> in_progress;

  for (std::size_t i = 0; i < size; ++i) {
    const std::uint8_t byte = data[i];
    const std::string user = usernames[(byte >> 3) % usernames.size()];
    const std::string address = addresses[(byte >> 5) % addresses.size()];
    switch (byte % 5) {
      case 0:
      case 1: {
        // Never more attempts in progress than the tables can hold, as the real server's
        // --max-pending-logins keeps far below --max-keys.
        if (in_progress.size() >= policy.max_keys / 2) break;
        const auto d = throttle.admit(user, address, now);
        if (d.allowed()) {
          require(d.retry_after == 0ms);
          in_progress.emplace_back(user, address);
        } else {
          require(d.retry_after > 0ms && d.retry_after <= 1h);
          if (d.outcome == login_throttle::verdict::pair_waiting) {
            // A waiting pair never refuses the same name from an address it has not seen.
            const auto elsewhere = throttle.admit(user, "fresh address", now);
            require(elsewhere.allowed());
            throttle.abandoned(user, "fresh address", now);
          }
        }
        break;
      }
      case 2:
      case 3:
        if (!in_progress.empty()) {
          const auto [u, a] = in_progress[byte % in_progress.size()];
          in_progress.erase(in_progress.begin() +
                            static_cast<std::ptrdiff_t>(byte % in_progress.size()));
          if (byte & 0x40) {
            throttle.failed(u, a, now);
          } else if (byte & 0x80) {
            throttle.succeeded(u, a, now);
          } else {
            throttle.abandoned(u, a, now);
          }
        }
        break;
      case 4:
        // 1 ms to ~2.3 hours: a whole input cannot overflow the clock.
        now += std::chrono::milliseconds(1LL << ((byte >> 3) % 24));
        break;
    }
    require(throttle.tracked_pairs() <= policy.max_keys);
    require(throttle.tracked_addresses() <= policy.max_keys);
  }

  // Nothing is permanent: once every attempt is over and a quiet day has passed, everyone is
  // admitted again and the tables empty out.
  for (const auto& [u, a] : in_progress) throttle.abandoned(u, a, now);
  now += 25h;
  for (const char* u : usernames) {
    for (const char* a : addresses) {
      const auto d = throttle.admit(u, a, now);
      require(d.allowed());
      throttle.succeeded(u, a, now);
    }
  }
  require(throttle.tracked_pairs() == 0 && throttle.tracked_addresses() == 0);
  return 0;
}
