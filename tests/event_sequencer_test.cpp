#include "chatterbox/bus/event_sequencer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <string>

namespace chatterbox {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

struct test_event {
  std::int64_t seq = 0;
  std::string text;
};

// A node's view: what it handed on, what it asked the store, and the store itself.
class sequencer_test : public ::testing::Test {
 protected:
  using sequencer = event_sequencer<test_event>;

  explicit sequencer_test(std::int64_t delivered = 0, std::size_t max_held = 10000)
      : seq_(delivered, {.gap_wait = 100ms, .max_held = max_held},
             [this](const test_event& e) { handed_on_.push_back(e.seq); },
             [this](std::int64_t after) { asked_.push_back(after); }) {}

  void publish(std::int64_t seq) { seq_.on_published({seq, "v" + std::to_string(seq)}, now_); }
  void wait(std::chrono::milliseconds d) {
    now_ += d;
    seq_.tick(now_);
  }
  // The store answers the last fetch with these (seq order) and its latest seq.
  void answer(std::vector<std::int64_t> seqs, std::int64_t complete_to) {
    std::vector<test_event> events;
    for (const auto s : seqs) events.push_back({s, "stored"});
    seq_.on_fetched(std::make_pair(events, complete_to), now_);
  }

  clock_type::time_point now_{};
  std::vector<std::int64_t> handed_on_;
  std::vector<std::int64_t> asked_;
  sequencer seq_;
};

TEST_F(sequencer_test, EventsInOrderAreHandedOnAtOnceWithoutAskingTheStore) {
  for (int s = 1; s <= 5; ++s) publish(s);
  wait(1s);
  EXPECT_EQ(handed_on_, (std::vector<std::int64_t>{1, 2, 3, 4, 5}));
  EXPECT_TRUE(asked_.empty());
}

TEST_F(sequencer_test, AnEventAheadWaitsForTheOneBeforeIt) {
  publish(2);
  publish(3);
  EXPECT_TRUE(handed_on_.empty());
  wait(50ms);
  publish(1);
  EXPECT_EQ(handed_on_, (std::vector<std::int64_t>{1, 2, 3}));
  wait(1s);
  EXPECT_TRUE(asked_.empty()) << "the gap closed before gap_wait: no query";
}

TEST_F(sequencer_test, RepeatsAreDroppedWhetherHandedOnOrStillWaiting) {
  publish(1);
  publish(1);
  publish(3);
  publish(3);
  publish(2);
  publish(2);
  EXPECT_EQ(handed_on_, (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(seq_.duplicates(), 3u);
}

TEST_F(sequencer_test, HeldEventsTheStoreCannotSayAgainGoOutInOrderWithItsAnswer) {
  publish(1);
  publish(3);  // 2 is lost; 3 and 5 are changes the store cannot say again (superseded rows)
  publish(5);
  wait(150ms);
  ASSERT_EQ(asked_, (std::vector<std::int64_t>{1}));
  answer({2, 4}, 6);
  EXPECT_EQ(handed_on_, (std::vector<std::int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(seq_.delivered(), 6);
  EXPECT_EQ(seq_.held(), 0u);
}

TEST_F(sequencer_test, ALostEventIsFetchedFromTheStoreAfterTheGapWait) {
  publish(1);
  publish(3);
  wait(99ms);
  EXPECT_TRUE(asked_.empty());
  wait(1ms);
  ASSERT_EQ(asked_, (std::vector<std::int64_t>{1}));
  answer({2, 3}, 3);
  EXPECT_EQ(handed_on_, (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(seq_.held(), 0u);
  publish(3);  // the bus's late copy
  publish(4);
  EXPECT_EQ(handed_on_, (std::vector<std::int64_t>{1, 2, 3, 4}));
}

TEST_F(sequencer_test, ASeqTheStoreNoLongerHasIsSettledByItsNewerSeq) {
  // 2 was lost; by the time the store is asked, that message was edited and now has seq 5.
  publish(1);
  publish(3);
  publish(4);
  wait(100ms);
  answer({3, 4, 5}, 5);
  EXPECT_EQ(handed_on_, (std::vector<std::int64_t>{1, 3, 4, 5}));
  EXPECT_EQ(seq_.delivered(), 5);
  publish(5);
  publish(6);
  EXPECT_EQ(handed_on_, (std::vector<std::int64_t>{1, 3, 4, 5, 6}));
}

TEST_F(sequencer_test, AnEventNeverPublishedIsFoundByTheLatestSeqCheck) {
  publish(1);
  seq_.on_latest(2, now_);
  wait(100ms);
  ASSERT_EQ(asked_, (std::vector<std::int64_t>{1}));
  answer({2}, 2);
  EXPECT_EQ(handed_on_, (std::vector<std::int64_t>{1, 2}));
  seq_.on_latest(2, now_);
  wait(1s);
  EXPECT_EQ(asked_.size(), 1u) << "nothing missing: no further query";
}

TEST_F(sequencer_test, OneQueryAtATimeAndTheBusKeepsFlowingMeanwhile) {
  publish(2);
  wait(100ms);
  wait(100ms);
  ASSERT_EQ(asked_.size(), 1u);
  publish(1);  // arrives while the store is being asked
  EXPECT_EQ(handed_on_, (std::vector<std::int64_t>{1, 2}));
  answer({1, 2}, 2);
  EXPECT_EQ(handed_on_, (std::vector<std::int64_t>{1, 2})) << "nothing twice";
}

TEST_F(sequencer_test, AFailedQueryIsRepeatedAfterAnotherGapWaitNotAtOnce) {
  publish(2);
  wait(100ms);
  seq_.on_fetched(std::nullopt, now_);
  wait(50ms);
  EXPECT_EQ(asked_.size(), 1u);
  wait(50ms);
  EXPECT_EQ(asked_.size(), 2u);
  answer({1, 2}, 2);
  EXPECT_EQ(handed_on_, (std::vector<std::int64_t>{1, 2}));
}

TEST_F(sequencer_test, APageCutShortLeavesTheRestForTheNextQuery) {
  publish(5);
  wait(100ms);
  answer({1, 2}, 2);  // the store's page ended at 2
  EXPECT_EQ(handed_on_, (std::vector<std::int64_t>{1, 2}));
  wait(100ms);
  ASSERT_EQ(asked_, (std::vector<std::int64_t>{0, 2}));
  answer({3, 4, 5}, 5);
  EXPECT_EQ(handed_on_, (std::vector<std::int64_t>{1, 2, 3, 4, 5}));
}

class small_sequencer_test : public sequencer_test {
 protected:
  small_sequencer_test() : sequencer_test(0, 3) {}
};

TEST_F(small_sequencer_test, WhatWaitsIsBoundedAndTheStoreFillsIn) {
  for (int s = 2; s <= 10; ++s) publish(s);
  EXPECT_LE(seq_.held(), 3u);
  EXPECT_GE(seq_.overflows(), 1u);
  wait(100ms);
  answer({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 10);
  std::vector<std::int64_t> all(10);
  std::iota(all.begin(), all.end(), 1);
  EXPECT_EQ(handed_on_, all);
}

class resumed_sequencer_test : public sequencer_test {
 protected:
  resumed_sequencer_test() : sequencer_test(41) {}
};

TEST_F(resumed_sequencer_test, ANodeStartsAfterTheSeqItStartedAt) {
  publish(41);
  publish(42);
  EXPECT_EQ(handed_on_, (std::vector<std::int64_t>{42}));
}

// Any mix of loss, repeats and reordering on the bus, with a store that has everything: each seq
// is handed on exactly once, in order.
TEST(event_sequencer_property, EverySeqOnceInOrderWhateverTheBusDoes) {
  std::mt19937 random(20261201);
  for (int round = 0; round < 200; ++round) {
    const int count = 1 + static_cast<int>(random() % 200);
    std::vector<std::int64_t> bus;
    for (int s = 1; s <= count; ++s) {
      const auto fate = random() % 10;
      if (fate == 0) continue;  // lost
      bus.push_back(s);
      if (fate == 1) bus.push_back(s);  // repeated
    }
    // Reordering within a window, as nodes racing to publish would.
    for (std::size_t i = 0; i + 1 < bus.size(); ++i) {
      const auto j = std::min(bus.size() - 1, i + random() % 4);
      std::swap(bus[i], bus[j]);
    }
    clock_type::time_point now{};
    std::vector<std::int64_t> handed_on;
    std::optional<std::int64_t> asked;
    event_sequencer<test_event> seq(
        0, {.gap_wait = 100ms, .max_held = 16},
        [&](const test_event& e) { handed_on.push_back(e.seq); },
        [&](std::int64_t after) { asked = after; });
    auto serve_store = [&] {
      if (!asked) return;
      std::vector<test_event> events;
      const auto to = std::min<std::int64_t>(count, *asked + 50);  // pages of 50
      for (auto s = *asked + 1; s <= to; ++s) events.push_back({s, ""});
      asked.reset();
      seq.on_fetched(std::make_pair(events, to), now);
    };
    for (const auto s : bus) {
      now += std::chrono::milliseconds(random() % 30);
      seq.on_published({s, ""}, now);
      seq.tick(now);
      if (random() % 3 == 0) serve_store();
    }
    seq.on_latest(count, now);
    for (int i = 0; i < 100 && seq.delivered() < count; ++i) {
      now += 100ms;
      seq.tick(now);
      serve_store();
    }
    std::vector<std::int64_t> all(static_cast<std::size_t>(count));
    std::iota(all.begin(), all.end(), 1);
    ASSERT_EQ(handed_on, all) << "round " << round;
  }
}

}  // namespace
}  // namespace chatterbox
