#include "chatterbox/ws/send_queue.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace chatterbox {
namespace {

frame_ptr frame_of(std::size_t bytes, char fill = 'x') {
  return std::make_shared<const std::string>(bytes, fill);
}

TEST(send_queue_test, StartsEmpty) {
  send_queue queue(4, 100);
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.size(), 0u);
  EXPECT_EQ(queue.bytes(), 0u);
}

TEST(send_queue_test, KeepsFramesInOrder) {
  send_queue queue(4, 100);
  const auto a = frame_of(1, 'a');
  const auto b = frame_of(2, 'b');
  const auto c = frame_of(3, 'c');
  ASSERT_TRUE(queue.push(a));
  ASSERT_TRUE(queue.push(b));
  ASSERT_TRUE(queue.push(c));
  EXPECT_EQ(queue.size(), 3u);
  EXPECT_EQ(queue.bytes(), 6u);

  EXPECT_EQ(queue.front(), a);
  queue.pop();
  EXPECT_EQ(queue.front(), b);
  queue.pop();
  EXPECT_EQ(queue.front(), c);
  queue.pop();
  EXPECT_TRUE(queue.empty());
}

TEST(send_queue_test, BoundedByFrameCount) {
  send_queue queue(3, 1'000'000);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(queue.push(frame_of(1)));
  const auto extra = frame_of(1, 'z');
  EXPECT_FALSE(queue.push(extra));
  EXPECT_EQ(queue.size(), 3u);
  EXPECT_EQ(queue.bytes(), 3u);
  EXPECT_EQ(extra.use_count(), 1);  // a rejected frame is not kept
  while (!queue.empty()) {
    EXPECT_NE(queue.front(), extra);
    queue.pop();
  }
}

TEST(send_queue_test, BoundedByBytes) {
  send_queue queue(100, 10);
  ASSERT_TRUE(queue.push(frame_of(6)));
  EXPECT_FALSE(queue.push(frame_of(5)));  // 11 > 10
  EXPECT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue.bytes(), 6u);
  EXPECT_TRUE(queue.push(frame_of(4)));  // exactly 10 fits
  EXPECT_EQ(queue.bytes(), 10u);
  EXPECT_FALSE(queue.push(frame_of(1)));
  EXPECT_EQ(queue.size(), 2u);
}

TEST(send_queue_test, FrameLargerThanTheByteLimitIsRejectedEvenWhenEmpty) {
  send_queue queue(100, 10);
  EXPECT_FALSE(queue.push(frame_of(11)));
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.bytes(), 0u);
}

// What the connection holds besides its queue (pending pongs and close frames) shares the byte
// bound, so a client that floods pings while not reading cannot grow memory past it either.
TEST(send_queue_test, OtherBytesCountAgainstTheByteBound) {
  send_queue queue(100, 10);
  EXPECT_FALSE(queue.push(frame_of(6), 5));  // 6 + 5 > 10
  EXPECT_TRUE(queue.empty());
  EXPECT_TRUE(queue.push(frame_of(6), 4));  // exactly 10 fits
  EXPECT_EQ(queue.bytes(), 6u);             // only the queue's own frames are its bytes

  EXPECT_TRUE(queue.push(frame_of(2), 2));   // 6 queued + 2 other + 2
  EXPECT_FALSE(queue.push(frame_of(1), 2));  // 8 queued + 2 other + 1 > 10
  EXPECT_TRUE(queue.push(frame_of(1), 1));
  EXPECT_EQ(queue.size(), 3u);
  EXPECT_EQ(queue.bytes(), 9u);
}

TEST(send_queue_test, OtherBytesAloneOverTheBoundRefuseEvenAnEmptyFrame) {
  send_queue queue(100, 10);
  EXPECT_FALSE(queue.push(frame_of(0), 11));
  EXPECT_TRUE(queue.push(frame_of(0), 10));
  const auto refused = frame_of(1, 'z');
  EXPECT_FALSE(queue.push(refused, 10));
  EXPECT_EQ(refused.use_count(), 1);  // a refused frame is not kept
  EXPECT_EQ(queue.size(), 1u);
}

TEST(send_queue_test, PopReleasesBytesAndRoom) {
  send_queue queue(2, 10);
  ASSERT_TRUE(queue.push(frame_of(7)));
  ASSERT_TRUE(queue.push(frame_of(3)));
  EXPECT_FALSE(queue.push(frame_of(1)));
  queue.pop();
  EXPECT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue.bytes(), 3u);
  EXPECT_TRUE(queue.push(frame_of(7)));
  EXPECT_EQ(queue.bytes(), 10u);
}

TEST(send_queue_test, ClearEmptiesAndResetsBytes) {
  send_queue queue(5, 100);
  const auto frame = frame_of(20);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(queue.push(frame));
  EXPECT_EQ(frame.use_count(), 6);
  queue.clear();
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.bytes(), 0u);
  EXPECT_EQ(frame.use_count(), 1);  // clear released the references
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(queue.push(frame));
  EXPECT_EQ(queue.bytes(), 100u);
}

TEST(send_queue_test, EmptyFramesCountTowardsTheFrameLimit) {
  send_queue queue(2, 0);
  EXPECT_TRUE(queue.push(frame_of(0)));
  EXPECT_TRUE(queue.push(frame_of(0)));
  EXPECT_FALSE(queue.push(frame_of(0)));
}

TEST(send_queue_test, OneBroadcastBufferIsSharedByEveryQueue) {
  const auto frame = frame_of(1000);
  const std::string* const buffer = frame.get();
  std::vector<send_queue> queues(50, send_queue(10, 10'000));
  for (auto& queue : queues) ASSERT_TRUE(queue.push(frame));

  EXPECT_EQ(frame.use_count(), 51);  // one allocation, referenced 50 times
  for (const auto& queue : queues) {
    EXPECT_EQ(queue.front().get(), buffer);
    EXPECT_EQ(queue.bytes(), 1000u);  // each queue still accounts for its own copy's size
  }
  for (auto& queue : queues) queue.pop();
  EXPECT_EQ(frame.use_count(), 1);
}

TEST(send_queue_test, BatchOfOneIsTheSharedFrameItself) {
  send_queue queue(4, 100);
  const auto a = frame_of(3, 'a');
  ASSERT_TRUE(queue.push(a));
  EXPECT_EQ(queue.take_batch(1000), a);  // same buffer, no copy
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.bytes(), 0u);
}

TEST(send_queue_test, SeveralFramesLeaveAsOneJsonArray) {
  send_queue queue(8, 1000);
  ASSERT_TRUE(queue.push(std::make_shared<const std::string>(R"({"type":"a"})")));
  ASSERT_TRUE(queue.push(std::make_shared<const std::string>(R"({"type":"b"})")));
  ASSERT_TRUE(queue.push(std::make_shared<const std::string>(R"({"type":"c"})")));
  EXPECT_EQ(*queue.take_batch(1000), R"([{"type":"a"},{"type":"b"},{"type":"c"}])");
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.bytes(), 0u);
}

TEST(send_queue_test, BatchStopsAtTheByteLimitAndKeepsTheRestInOrder) {
  send_queue queue(8, 1000);
  for (const char c : {'a', 'b', 'c', 'd'}) ASSERT_TRUE(queue.push(frame_of(10, c)));
  const auto first = queue.take_batch(25);  // "[" + 10 + "," + 10 + "]" = 23; a third won't fit
  EXPECT_EQ(*first, "[" + std::string(10, 'a') + "," + std::string(10, 'b') + "]");
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue.bytes(), 20u);
  EXPECT_EQ(*queue.take_batch(25), "[" + std::string(10, 'c') + "," + std::string(10, 'd') + "]");
}

TEST(send_queue_test, OversizedFirstFrameStillLeaves) {
  send_queue queue(8, 1000);
  ASSERT_TRUE(queue.push(frame_of(50, 'a')));
  ASSERT_TRUE(queue.push(frame_of(5, 'b')));
  EXPECT_EQ(*queue.take_batch(10), "[" + std::string(50, 'a') + "]");
  EXPECT_EQ(queue.size(), 1u);
}

}  // namespace
}  // namespace chatterbox
