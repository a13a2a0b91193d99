#include "accounts.hpp"

#include "login.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

namespace chatterbox::bench {

account_plan plan_accounts(const bench_options& o) {
  account_plan plan;
  if (o.command == "rooms" || o.command == "storm") {
    // Every connection is a different person: rooms of distinct members, a storm of users.
    for (std::size_t i = 0; i < o.connections; ++i) {
      plan.usernames.push_back(o.user_prefix + "_u" + std::to_string(i));
      plan.account_of.push_back(i);
    }
    return plan;
  }
  for (std::size_t i = 0; i < o.senders; ++i) {
    plan.usernames.push_back(o.user_prefix + "_s" + std::to_string(i));
    plan.account_of.push_back(i);
  }
  const std::size_t receivers = o.connections - o.senders;
  const std::size_t shared = receivers == 0 ? 0 : std::max<std::size_t>(1, o.receiver_users);
  for (std::size_t k = 0; k < std::min(shared, receivers); ++k) {
    plan.usernames.push_back(o.user_prefix + "_r" + std::to_string(k));
  }
  for (std::size_t r = 0; r < receivers; ++r) {
    plan.account_of.push_back(o.senders + r % std::min(shared, receivers));
  }
  return plan;
}

std::optional<std::vector<std::string>> login_all(const bench_options& o,
                                                  const std::vector<std::string>& usernames,
                                                  std::string& error) {
  // A few logins in flight (threads, each with its own blocking client): 10,000 accounts are
  // set up in seconds, while the server's hasher queue (--max-pending-logins) stays short.
  std::vector<std::string> tokens(usernames.size());
  const auto timeout = std::chrono::milliseconds(static_cast<long>(o.timeout_s * 1000));
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  const auto work = [&] {
    for (std::size_t i = next++; i < usernames.size() && !failed; i = next++) {
      auto result = login(o.host, o.port, usernames[i], o.password, timeout);
      if (!result.ok) {
        const std::lock_guard lock(error_mutex);
        if (!failed.exchange(true)) error = result.error;
        return;
      }
      tokens[i] = std::move(result.token);
    }
  };
  const std::size_t threads = std::min<std::size_t>(8, std::max<std::size_t>(1, usernames.size()));
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (failed) return std::nullopt;
  return tokens;
}

}  // namespace chatterbox::bench
