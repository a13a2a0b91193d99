#include "chatterbox/http/handshake_gate.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <memory>
#include <optional>

namespace chatterbox {
namespace {

using namespace std::chrono_literals;

TEST(handshake_gate, lets_capacity_through_and_one_more_per_release) {
  boost::asio::io_context io;
  handshake_gate gate(io, 2, 10s);
  auto a = gate.take();
  EXPECT_TRUE(gate.has_room());
  auto b = gate.take();
  EXPECT_FALSE(gate.has_room());
  EXPECT_EQ(gate.held(), 2u);

  bool resumed = false;
  gate.when_room([&] { resumed = true; });
  io.poll();
  EXPECT_FALSE(resumed) << "nothing was released";

  a.release();
  a.release();  // twice is once
  EXPECT_EQ(gate.held(), 1u);
  EXPECT_FALSE(resumed) << "resumed from inside the releasing handler";
  io.poll();
  EXPECT_TRUE(resumed);
  EXPECT_TRUE(gate.has_room());
}

TEST(handshake_gate, a_slot_is_released_when_it_is_destroyed_or_overwritten) {
  boost::asio::io_context io;
  handshake_gate gate(io, 1, 10s);
  {
    auto a = gate.take();
    EXPECT_FALSE(gate.has_room());
  }
  EXPECT_TRUE(gate.has_room());

  handshake_gate::slot held = gate.take();
  held = handshake_gate::slot{};
  EXPECT_EQ(gate.held(), 0u);

  auto moved_from = gate.take();
  auto moved_to = std::move(moved_from);
  moved_from.release();  // empty: frees nothing
  EXPECT_EQ(gate.held(), 1u);
}

TEST(handshake_gate, a_silent_connection_gives_its_place_up_after_the_hold) {
  boost::asio::io_context io;
  handshake_gate gate(io, 1, 50ms);
  // Before the hold's timer is set, so the wait measured is never shorter than the hold.
  const auto started = std::chrono::steady_clock::now();
  auto silent = gate.take();
  std::optional<std::chrono::steady_clock::duration> resumed_after;
  gate.when_room([&] { resumed_after = std::chrono::steady_clock::now() - started; });
  io.run_for(5s);  // returns once the timer's wait is done: nothing else is queued
  ASSERT_TRUE(resumed_after) << "the gate stayed shut behind a silent connection";
  EXPECT_GE(*resumed_after, 50ms);
  EXPECT_EQ(gate.held(), 0u);
  // Its late release must not free a place a second time.
  silent.release();
  EXPECT_EQ(gate.held(), 0u);
  auto next = gate.take();
  EXPECT_FALSE(gate.has_room());
}

TEST(handshake_gate, stop_drops_the_waiter_and_slots_may_outlive_the_gate) {
  boost::asio::io_context io;
  handshake_gate::slot survivor;
  bool resumed = false;
  {
    handshake_gate gate(io, 1, 10ms);
    survivor = gate.take();
    gate.when_room([&] { resumed = true; });
    gate.stop();
    io.run_for(1s);
  }
  EXPECT_FALSE(resumed);
  survivor.release();  // the gate is gone: nothing to tell, nothing to crash
}

}  // namespace
}  // namespace chatterbox
