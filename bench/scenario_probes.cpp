#include "hello_probe.hpp"
#include "join_probe.hpp"
#include "login.hpp"
#include "resume_probe.hpp"
#include "scenarios.hpp"
#include "search_probe.hpp"

#include <iostream>

namespace chatterbox::bench {
namespace {

std::optional<std::string> login_one(const bench_options& o, const std::string& suffix) {
  const auto result = login(o.host, o.port, o.user_prefix + suffix, o.password,
                            std::chrono::milliseconds(static_cast<long>(o.timeout_s * 1000)));
  if (!result.ok) {
    std::cerr << "chatterbox-bench: " << result.error << "\n";
    return std::nullopt;
  }
  return result.token;
}

}  // namespace

int run_join(const bench_options& o) {
  const auto token = login_one(o, "_j");
  if (!token) return 1;
  join_probe probe(o, *token);
  publish(probe.run(), o.json_path);
  return probe.healthy() ? 0 : 1;
}

int run_hello(const bench_options& o) {
  const auto token = login_one(o, "_h");
  const auto partner_token = login_one(o, "_hp");
  const auto baseline_token = login_one(o, "_h0");
  if (!token || !partner_token || !baseline_token) return 1;
  hello_probe probe(o, o.user_prefix + "_h", *token, o.user_prefix + "_hp", *partner_token,
                    *baseline_token);
  publish(probe.run(), o.json_path);
  return probe.healthy() ? 0 : 1;
}

int run_resume(const bench_options& o) {
  const auto token = login_one(o, "_j");
  if (!token) return 1;
  resume_probe probe(o, *token);
  publish(probe.run(), o.json_path);
  return probe.healthy() ? 0 : 1;
}

int run_search(const bench_options& o) {
  const auto token = login_one(o, "_q");
  if (!token) return 1;
  search_probe probe(o, *token);
  publish(probe.run(), o.json_path);
  return probe.healthy() ? 0 : 1;
}

}  // namespace chatterbox::bench
