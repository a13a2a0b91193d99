#include "chatterbox/limits/login_throttle.hpp"

#include <gtest/gtest.h>

#include <string>

namespace chatterbox {
namespace {

using namespace std::chrono_literals;
using verdict = login_throttle::verdict;

class LoginThrottle : public ::testing::Test {
 protected:
  login_throttle::clock::time_point now = login_throttle::clock::time_point{} + 1000h;

  // One complete attempt: admitted, then failed. Returns the admission.
  login_throttle::decision fail(login_throttle& t, const std::string& user,
                                const std::string& from) {
    auto d = t.admit(user, from, now);
    if (d.allowed()) t.failed(user, from, now);
    return d;
  }
  login_throttle::decision succeed(login_throttle& t, const std::string& user,
                                   const std::string& from) {
    auto d = t.admit(user, from, now);
    if (d.allowed()) t.succeeded(user, from, now);
    return d;
  }
};

TEST_F(LoginThrottle, free_failures_then_a_delay_that_doubles_up_to_the_cap) {
  login_throttle t({.free_failures = 3, .first_delay = 1s, .max_delay = 10s});
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(fail(t, "alice", "1.2.3.4").allowed()) << i;

  auto d = t.admit("alice", "1.2.3.4", now);
  EXPECT_EQ(d.outcome, verdict::pair_waiting);
  EXPECT_EQ(d.retry_after, 1s);

  std::chrono::milliseconds expected = 1s;
  for (int i = 0; i < 6; ++i) {
    now += expected;
    ASSERT_TRUE(fail(t, "alice", "1.2.3.4").allowed()) << i;
    expected = std::min<std::chrono::milliseconds>(expected * 2, 10s);
    d = t.admit("alice", "1.2.3.4", now);
    EXPECT_EQ(d.outcome, verdict::pair_waiting);
    EXPECT_EQ(d.retry_after, expected) << i;
  }
  // Part of the way through, the wait left is what Retry-After says.
  now += 4s;
  EXPECT_EQ(t.admit("alice", "1.2.3.4", now).retry_after, 6s);
}

TEST_F(LoginThrottle, a_waiting_pair_does_not_touch_the_same_name_from_elsewhere) {
  login_throttle t({.free_failures = 5});
  for (int failures = 0; failures < 30;) {
    if (fail(t, "alice", "6.6.6.6").allowed()) {
      ++failures;
    } else {
      now += 2h;  // waits it out and keeps guessing
    }
  }
  EXPECT_EQ(t.admit("alice", "6.6.6.6", now).outcome, verdict::pair_waiting);
  // The owner, elsewhere, is admitted (and so is the same name with other capitals).
  EXPECT_TRUE(succeed(t, "Alice", "10.0.0.1").allowed());
  EXPECT_TRUE(succeed(t, "alice", "2001:db8:1:2::/64").allowed());
}

TEST_F(LoginThrottle, usernames_are_case_insensitive) {
  login_throttle t({.free_failures = 2});
  EXPECT_TRUE(fail(t, "alice", "1.1.1.1").allowed());
  EXPECT_TRUE(fail(t, "ALICE", "1.1.1.1").allowed());
  EXPECT_EQ(t.admit("Alice", "1.1.1.1", now).outcome, verdict::pair_waiting);
}

TEST_F(LoginThrottle, a_success_resets_the_pair) {
  login_throttle t({.free_failures = 2});
  EXPECT_TRUE(fail(t, "bob", "1.1.1.1").allowed());
  EXPECT_TRUE(succeed(t, "bob", "1.1.1.1").allowed());
  EXPECT_TRUE(fail(t, "bob", "1.1.1.1").allowed());
  // One failure since the success: still free.
  EXPECT_TRUE(t.admit("bob", "1.1.1.1", now).allowed());
  t.abandoned("bob", "1.1.1.1", now);
  EXPECT_EQ(t.tracked_pairs(), 1u);
  EXPECT_TRUE(succeed(t, "bob", "1.1.1.1").allowed());
  EXPECT_EQ(t.tracked_pairs(), 0u);
}

TEST_F(LoginThrottle, successes_never_use_up_the_address) {
  login_throttle t({.address_failures_per_minute = 10});
  for (int i = 0; i < 500; ++i) {
    EXPECT_TRUE(succeed(t, "user" + std::to_string(i), "192.0.2.1").allowed()) << i;
  }
  EXPECT_EQ(t.tracked_addresses(), 0u);
}

TEST_F(LoginThrottle, the_address_ceiling_counts_failures_across_usernames) {
  login_throttle t({.free_failures = 5, .address_failures_per_minute = 60});
  for (int i = 0; i < 60; ++i) EXPECT_TRUE(fail(t, "u" + std::to_string(i), "192.0.2.1").allowed());
  auto d = t.admit("someone", "192.0.2.1", now);
  EXPECT_EQ(d.outcome, verdict::address_over_limit);
  EXPECT_EQ(d.retry_after, 1s);  // 60 a minute: one more a second
  // Another address is untouched.
  EXPECT_TRUE(succeed(t, "someone", "192.0.2.2").allowed());
  // The ceiling refills at its rate.
  now += 1s;
  EXPECT_TRUE(fail(t, "someone", "192.0.2.1").allowed());
  EXPECT_EQ(t.admit("someone", "192.0.2.1", now).outcome, verdict::address_over_limit);
  now += 60s;
  for (int i = 0; i < 60; ++i)
    EXPECT_TRUE(succeed(t, "v" + std::to_string(i), "192.0.2.1").allowed());
}

TEST_F(LoginThrottle, attempts_in_progress_count_against_the_limits) {
  login_throttle t(
      {.free_failures = 3, .address_failures_per_minute = 5, .max_pending_per_address = 100});
  // Three free failures' worth may be checked at once, then the pair must wait for a verdict.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(t.admit("alice", "1.1.1.1", now).allowed()) << i;
  auto d = t.admit("alice", "1.1.1.1", now);
  EXPECT_EQ(d.outcome, verdict::pair_waiting);
  EXPECT_EQ(d.retry_after, 1s);
  // The address has 5 failures to spend and 3 are possibly on their way.
  EXPECT_TRUE(t.admit("bob", "1.1.1.1", now).allowed());
  EXPECT_TRUE(t.admit("carol", "1.1.1.1", now).allowed());
  EXPECT_EQ(t.admit("dave", "1.1.1.1", now).outcome, verdict::address_over_limit);
  for (int i = 0; i < 3; ++i) t.succeeded("alice", "1.1.1.1", now);
  t.succeeded("bob", "1.1.1.1", now);
  t.succeeded("carol", "1.1.1.1", now);
  EXPECT_TRUE(succeed(t, "dave", "1.1.1.1").allowed());
  EXPECT_EQ(t.tracked_pairs(), 0u);
  EXPECT_EQ(t.tracked_addresses(), 0u);
}

TEST_F(LoginThrottle, past_the_free_failures_one_attempt_at_a_time) {
  login_throttle t({.free_failures = 2, .first_delay = 1s});
  EXPECT_TRUE(fail(t, "alice", "1.1.1.1").allowed());
  EXPECT_TRUE(fail(t, "alice", "1.1.1.1").allowed());
  now += 1s;
  EXPECT_TRUE(t.admit("alice", "1.1.1.1", now).allowed());
  EXPECT_EQ(t.admit("alice", "1.1.1.1", now).outcome, verdict::pair_waiting);
  t.failed("alice", "1.1.1.1", now);
  EXPECT_EQ(t.admit("alice", "1.1.1.1", now).retry_after, 2s);
}

TEST_F(LoginThrottle, an_address_may_have_only_so_many_logins_pending) {
  login_throttle t({.max_pending_per_address = 3});
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(t.admit("u" + std::to_string(i), "1.1.1.1", now).allowed());
  const auto d = t.admit("u9", "1.1.1.1", now);
  EXPECT_EQ(d.outcome, verdict::address_busy);
  EXPECT_EQ(d.retry_after, 1s);
  EXPECT_TRUE(t.admit("u9", "1.1.1.2", now).allowed());
  t.abandoned("u0", "1.1.1.1", now);
  EXPECT_TRUE(t.admit("u9", "1.1.1.1", now).allowed());
}

TEST_F(LoginThrottle, a_quiet_pair_is_forgotten) {
  login_throttle t({.free_failures = 2, .max_delay = 1h, .forget_after = 24h});
  for (int failures = 0; failures < 6;) {
    if (fail(t, "alice", "1.1.1.1").allowed()) {
      ++failures;
    } else {
      now += 1h;
    }
  }
  EXPECT_EQ(t.admit("alice", "1.1.1.1", now).outcome, verdict::pair_waiting);
  now += 25h;
  EXPECT_TRUE(fail(t, "alice", "1.1.1.1").allowed());
  EXPECT_TRUE(t.admit("alice", "1.1.1.1", now).allowed());  // one failure since: free again
}

TEST_F(LoginThrottle, a_flood_of_distinct_keys_stays_bounded_and_keeps_waiting_pairs) {
  login_throttle t({.free_failures = 1,
                    .max_delay = 1h,
                    .address_failures_per_minute = 1000000,
                    .max_keys = 1000});
  EXPECT_TRUE(fail(t, "alice", "6.6.6.6").allowed());  // alice@6.6.6.6 now waits
  for (int i = 0; i < 5000; ++i) {
    EXPECT_TRUE(
        fail(t, "user" + std::to_string(i % 3), "10.0." + std::to_string(i) + ".1").allowed());
    ASSERT_LE(t.tracked_pairs(), 1000u);
    ASSERT_LE(t.tracked_addresses(), 1000u);
  }
  // Every flood pair waits too, so the oldest waiting ones had to go; but nobody was refused.
  EXPECT_TRUE(succeed(t, "newcomer", "203.0.113.9").allowed());
}

TEST_F(LoginThrottle, a_flood_evicts_pairs_that_do_not_wait_before_those_that_do) {
  login_throttle t({.free_failures = 3,
                    .max_delay = 1h,
                    .address_failures_per_minute = 1000000,
                    .max_keys = 100});
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(fail(t, "alice", "6.6.6.6").allowed());
  // One failure each: remembered, but not waiting.
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(fail(t, "u" + std::to_string(i), "6.6.6.6").allowed());
  EXPECT_EQ(t.admit("alice", "6.6.6.6", now).outcome, verdict::pair_waiting);
}

}  // namespace
}  // namespace chatterbox
