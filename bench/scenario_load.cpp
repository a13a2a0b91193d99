#include "accounts.hpp"
#include "load_run.hpp"
#include "scenarios.hpp"

#include <iostream>

namespace chatterbox::bench {
namespace {

// Room s: sender s (connection s) and the next room_size - 1 receivers after all the senders.
// The JSON array of the receivers' names, per sender.
std::vector<std::string> room_members(const bench_options& o, const account_plan& plan) {
  std::vector<std::string> lists;
  const std::size_t others = o.room_size - 1;
  for (std::size_t s = 0; s < o.senders; ++s) {
    std::string list = "[";
    for (std::size_t j = 0; j < others; ++j) {
      const std::size_t connection = o.senders + s * others + j;
      if (j > 0) list += ",";
      list += "\"" + plan.usernames[plan.account_of[connection]] + "\"";
    }
    lists.push_back(list + "]");
  }
  return lists;
}

}  // namespace

int run_load(const bench_options& options) {
  bench_options o = options;
  if (o.command == "idle") {
    // Nothing is sent; the measured window is the hold, so pings have time to flow.
    o.senders = 0;
    o.warmup_s = 0;
    o.duration_s = o.hold_s;
  }
  const account_plan plan = plan_accounts(o);
  std::string error;
  const auto tokens = login_all(o, plan.usernames, error);
  if (!tokens) {
    std::cerr << "chatterbox-bench: " << error << "\n";
    return 1;
  }
  load_run run(o, *tokens, plan.account_of);
  if (o.command == "rooms") run.set_rooms(room_members(o, plan));
  const report r = run.run();
  publish(r, o.json_path);
  return run.healthy() ? 0 : 1;
}

}  // namespace chatterbox::bench
