#include "accounts.hpp"

#include "login.hpp"

#include <algorithm>

namespace chatterbox::bench {

account_plan plan_accounts(const bench_options& o) {
  account_plan plan;
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
  std::vector<std::string> tokens;
  const auto timeout = std::chrono::milliseconds(static_cast<long>(o.timeout_s * 1000));
  for (const auto& name : usernames) {
    auto result = login(o.host, o.port, name, o.password, timeout);
    if (!result.ok) {
      error = result.error;
      return std::nullopt;
    }
    tokens.push_back(std::move(result.token));
  }
  return tokens;
}

}  // namespace chatterbox::bench
