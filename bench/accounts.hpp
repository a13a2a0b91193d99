#pragma once

#include "options.hpp"

#include <optional>
#include <string>
#include <vector>

namespace chatterbox::bench {

// Which account each connection uses: connection i < senders logs in as `<prefix>_s<i>` (one
// account per sender keeps client_ids apart); the rest share `receiver_users` accounts so that
// a 10,000-connection room does not turn every connect into a join broadcast to everyone.
// `rooms` and `storm` give every connection its own account `<prefix>_u<i>`.
struct account_plan {
  std::vector<std::string> usernames;   // distinct accounts to log in
  std::vector<std::size_t> account_of;  // per connection: index into usernames
};

account_plan plan_accounts(const bench_options& o);

// Logs every planned account in; the tokens in the same order, or the first error.
std::optional<std::vector<std::string>> login_all(const bench_options& o,
                                                  const std::vector<std::string>& usernames,
                                                  std::string& error);

}  // namespace chatterbox::bench
