#pragma once

#include "chatterbox/protocol/server_frames.hpp"

#include <cstddef>
#include <vector>

namespace chatterbox {

// The frames waiting to be written to one WebSocket, bounded by count and bytes. A peer that
// falls further behind than that is disconnected rather than allowed to grow server memory.
class send_queue {
 public:
  send_queue(std::size_t max_frames, std::size_t max_bytes)
      : max_frames_(max_frames), max_bytes_(max_bytes) {}

  // false (and nothing queued) when the frame would exceed either bound; `other_bytes` is what
  // the connection holds besides the queue (its pending control frames), counted in the bound.
  bool push(frame_ptr frame, std::size_t other_bytes = 0);
  bool empty() const { return head_ == frames_.size(); }
  std::size_t size() const { return frames_.size() - head_; }
  std::size_t bytes() const { return bytes_; }
  const frame_ptr& front() const { return frames_[head_]; }
  void pop();
  void clear();

  // Removes queued frames and returns what to write next: the frame itself when one is queued
  // (no copy: it is the broadcast's shared buffer), else one JSON array of as many frames as
  // fit in `max_bytes` (at least one), so one write carries many events (protocol v1 allows
  // array frames).
  frame_ptr take_batch(std::size_t max_bytes);

 private:
  std::size_t max_frames_;
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  // A vector with a read index rather than a deque: an empty deque already costs ~600 bytes,
  // and most connections are idle with an empty queue.
  std::vector<frame_ptr> frames_;
  std::size_t head_ = 0;
};

}  // namespace chatterbox
