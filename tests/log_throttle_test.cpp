#include "chatterbox/observability/log_throttle.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>

namespace chatterbox {
namespace {

using namespace std::chrono_literals;
using clock = log_throttle::clock;

// An arbitrary start on the injected clock.
const clock::time_point t0 = clock::time_point{} + 1000h;

TEST(log_throttle_test, TheFirstOccurrenceIsLoggedWithNothingSuppressed) {
  log_throttle throttle;
  std::size_t suppressed = 99;
  EXPECT_TRUE(throttle.admit(suppressed, t0));
  EXPECT_EQ(suppressed, 0u);
}

TEST(log_throttle_test, TheFirstOccurrenceIsLoggedEvenAtTheClocksEpoch) {
  // "Never logged" is not confused with "logged at time zero".
  log_throttle throttle;
  std::size_t suppressed = 0;
  EXPECT_TRUE(throttle.admit(suppressed, clock::time_point{}));
  EXPECT_FALSE(throttle.admit(suppressed, clock::time_point{} + 1ms));
}

TEST(log_throttle_test, RepeatsWithinTheIntervalAreCountedNotLogged) {
  log_throttle throttle;  // one second by default
  std::size_t suppressed = 0;
  ASSERT_TRUE(throttle.admit(suppressed, t0));
  for (int i = 1; i <= 5; ++i) {
    EXPECT_FALSE(throttle.admit(suppressed, t0 + i * 100ms)) << i;
  }
  EXPECT_FALSE(throttle.admit(suppressed, t0 + 999ms));

  // The next line that gets through says how many were left out.
  EXPECT_TRUE(throttle.admit(suppressed, t0 + 1s));
  EXPECT_EQ(suppressed, 6u);
}

TEST(log_throttle_test, TheCountStartsAgainAfterEachLoggedLine) {
  log_throttle throttle;
  std::size_t suppressed = 0;
  ASSERT_TRUE(throttle.admit(suppressed, t0));
  EXPECT_FALSE(throttle.admit(suppressed, t0 + 10ms));
  EXPECT_FALSE(throttle.admit(suppressed, t0 + 20ms));
  ASSERT_TRUE(throttle.admit(suppressed, t0 + 1s));
  EXPECT_EQ(suppressed, 2u);

  EXPECT_FALSE(throttle.admit(suppressed, t0 + 1500ms));
  ASSERT_TRUE(throttle.admit(suppressed, t0 + 2s));
  EXPECT_EQ(suppressed, 1u);

  // A quiet spell: the next one is logged and nothing was suppressed.
  ASSERT_TRUE(throttle.admit(suppressed, t0 + 1h));
  EXPECT_EQ(suppressed, 0u);
}

TEST(log_throttle_test, TheIntervalRunsFromTheLastLoggedLineNotTheLastAttempt) {
  log_throttle throttle(100ms);
  std::size_t suppressed = 0;
  ASSERT_TRUE(throttle.admit(suppressed, t0));
  // Continuous repeats do not push the next logged line back forever.
  for (auto at = t0 + 10ms; at < t0 + 100ms; at += 10ms) {
    EXPECT_FALSE(throttle.admit(suppressed, at));
  }
  EXPECT_TRUE(throttle.admit(suppressed, t0 + 100ms));
  EXPECT_EQ(suppressed, 9u);
}

TEST(log_throttle_test, ACustomIntervalIsHonoured) {
  log_throttle throttle(5s);
  std::size_t suppressed = 0;
  ASSERT_TRUE(throttle.admit(suppressed, t0));
  EXPECT_FALSE(throttle.admit(suppressed, t0 + 4s));
  EXPECT_TRUE(throttle.admit(suppressed, t0 + 5s));
  EXPECT_EQ(suppressed, 1u);
}

TEST(log_throttle_test, AClockGoingBackwardsDoesNotLogMore) {
  log_throttle throttle;
  std::size_t suppressed = 0;
  ASSERT_TRUE(throttle.admit(suppressed, t0));
  EXPECT_FALSE(throttle.admit(suppressed, t0 - 1h));
}

TEST(log_throttle_test, TheRealClockIsTheDefault) {
  log_throttle throttle(std::chrono::hours(1));
  std::size_t suppressed = 0;
  EXPECT_TRUE(throttle.admit(suppressed));
  EXPECT_FALSE(throttle.admit(suppressed));  // an hour cannot have passed in between
}

}  // namespace
}  // namespace chatterbox
