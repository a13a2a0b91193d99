#include "chatterbox/ws/send_queue.hpp"

namespace chatterbox {

bool send_queue::push(frame_ptr frame) {
  if (frames_.size() >= max_frames_ || bytes_ + frame->size() > max_bytes_) return false;
  bytes_ += frame->size();
  frames_.push_back(std::move(frame));
  return true;
}

void send_queue::pop() {
  bytes_ -= frames_.front()->size();
  frames_.pop_front();
}

void send_queue::clear() {
  frames_.clear();
  bytes_ = 0;
}

}  // namespace chatterbox
