#include "chatterbox/ws/inbound_budget.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace chatterbox::ws {
namespace {

using namespace std::chrono_literals;
using clock = inbound_budget::clock;

// An arbitrary start on the injected clock: nothing here depends on the real time.
const clock::time_point t0 = clock::time_point{} + 1000h;

// Rates whose halves and quarters are exact in float, so most waits below are exact; where a
// refill of real elapsed time is involved the budget's float arithmetic may round the wait up
// by a millisecond, never down.
constexpr double frame_rate = 100;
constexpr double byte_rate = 1024 * 1024;
constexpr std::size_t frames_per_second = 100;
constexpr std::size_t bytes_per_second = 1024 * 1024;

TEST(inbound_budget_test, AFullBucketDoesNotWait) {
  inbound_budget budget(frame_rate, byte_rate, t0);
  EXPECT_EQ(budget.wait(t0), 0ms);
  // Spending exactly a second's worth of both empties the buckets without going into debt.
  budget.spend(frames_per_second, bytes_per_second, t0);
  EXPECT_EQ(budget.wait(t0), 0ms);
}

TEST(inbound_budget_test, FrameDebtWaitsInProportion) {
  inbound_budget budget(frame_rate, byte_rate, t0);
  budget.spend(frames_per_second + 50, 0, t0);  // half a second's worth of debt
  EXPECT_EQ(budget.wait(t0), 500ms);

  inbound_budget deeper(frame_rate, byte_rate, t0);
  deeper.spend(frames_per_second + 100, 0, t0);
  EXPECT_EQ(deeper.wait(t0), 1000ms);
}

TEST(inbound_budget_test, ByteDebtWaitsInProportion) {
  inbound_budget budget(frame_rate, byte_rate, t0);
  budget.spend(0, bytes_per_second + bytes_per_second / 4, t0);
  EXPECT_EQ(budget.wait(t0), 250ms);
}

TEST(inbound_budget_test, TheLargerDebtDecides) {
  inbound_budget frames_deeper(frame_rate, byte_rate, t0);
  frames_deeper.spend(frames_per_second + 50, bytes_per_second + bytes_per_second / 4, t0);
  EXPECT_EQ(frames_deeper.wait(t0), 500ms);

  inbound_budget bytes_deeper(frame_rate, byte_rate, t0);
  bytes_deeper.spend(frames_per_second + 25, bytes_per_second + bytes_per_second / 2, t0);
  EXPECT_EQ(bytes_deeper.wait(t0), 500ms);
}

TEST(inbound_budget_test, SpendingAddsUpAcrossCalls) {
  inbound_budget budget(frame_rate, byte_rate, t0);
  for (int i = 0; i < 3; ++i) budget.spend(frames_per_second / 2, bytes_per_second / 2, t0);
  EXPECT_EQ(budget.wait(t0), 500ms);
}

TEST(inbound_budget_test, DebtIsPaidOffOverTime) {
  inbound_budget budget(frame_rate, byte_rate, t0);
  budget.spend(frames_per_second + 50, 0, t0);
  const auto later = budget.wait(t0 + 250ms);
  EXPECT_GE(later, 250ms);
  EXPECT_LE(later, 251ms);
  // Once the announced wait is over, reading may go on (with a millisecond for float rounding).
  EXPECT_EQ(budget.wait(t0 + 500ms + 1ms), 0ms);
}

TEST(inbound_budget_test, WaitingTheAnnouncedTimeIsEnough) {
  inbound_budget budget(frame_rate, byte_rate, t0);
  budget.spend(frames_per_second + 37, bytes_per_second + 12345, t0);
  const auto wait = budget.wait(t0);
  EXPECT_GT(wait, 0ms);
  EXPECT_EQ(budget.wait(t0 + wait + 1ms), 0ms);
}

TEST(inbound_budget_test, NeverMoreThanASecondsWorthIsBanked) {
  inbound_budget budget(frame_rate, byte_rate, t0);
  // An hour of silence does not allow an hour's worth at once.
  const auto later = t0 + 1h;
  budget.spend(2 * frames_per_second, 0, later);
  EXPECT_EQ(budget.wait(later), 1000ms);

  inbound_budget bytes(frame_rate, byte_rate, t0);
  bytes.spend(0, 2 * bytes_per_second, later);
  EXPECT_EQ(bytes.wait(later), 1000ms);
}

TEST(inbound_budget_test, RefillsUpToFullAfterASecond) {
  inbound_budget budget(frame_rate, byte_rate, t0);
  budget.spend(frames_per_second, bytes_per_second, t0);  // empty, no debt
  const auto later = t0 + 1s;
  budget.spend(frames_per_second, bytes_per_second, later);  // a whole second's worth again
  EXPECT_EQ(budget.wait(later), 0ms);
  budget.spend(frames_per_second / 2, 0, later);
  EXPECT_EQ(budget.wait(later), 500ms);
}

TEST(inbound_budget_test, AClockThatDoesNotMoveForwardChangesNothing) {
  inbound_budget budget(frame_rate, byte_rate, t0);
  budget.spend(frames_per_second + 50, 0, t0);
  // Time points from before the last update (a caller's stale `now`) neither refill nor break.
  EXPECT_EQ(budget.wait(t0 - 10s), 500ms);
  EXPECT_EQ(budget.wait(t0), 500ms);
}

}  // namespace
}  // namespace chatterbox::ws
