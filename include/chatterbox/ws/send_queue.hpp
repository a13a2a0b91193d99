#pragma once

#include "chatterbox/protocol/server_frames.hpp"

#include <cstddef>
#include <deque>

namespace chatterbox {

// The frames waiting to be written to one WebSocket, bounded by count and bytes. A peer that
// falls further behind than that is disconnected rather than allowed to grow server memory.
class send_queue {
 public:
  send_queue(std::size_t max_frames, std::size_t max_bytes)
      : max_frames_(max_frames), max_bytes_(max_bytes) {}

  // false (and nothing queued) when the frame would exceed either bound.
  bool push(frame_ptr frame);
  bool empty() const { return frames_.empty(); }
  std::size_t size() const { return frames_.size(); }
  std::size_t bytes() const { return bytes_; }
  const frame_ptr& front() const { return frames_.front(); }
  void pop();
  void clear();

 private:
  std::size_t max_frames_;
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  std::deque<frame_ptr> frames_;
};

}  // namespace chatterbox
