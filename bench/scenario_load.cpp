#include "accounts.hpp"
#include "load_run.hpp"
#include "scenarios.hpp"

#include <iostream>

namespace chatterbox::bench {

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
  const report r = run.run();
  publish(r, o.json_path);
  return run.healthy() ? 0 : 1;
}

}  // namespace chatterbox::bench
