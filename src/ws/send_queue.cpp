#include "chatterbox/ws/send_queue.hpp"

namespace chatterbox {
namespace {

// Past this, an emptied queue gives its storage back: a burst must not pin memory on an
// otherwise idle connection.
constexpr std::size_t retained_capacity = 64;

}  // namespace

bool send_queue::push(frame_ptr frame, std::size_t other_bytes) {
  if (size() >= max_frames_ || bytes_ + other_bytes + frame->size() > max_bytes_) return false;
  bytes_ += frame->size();
  frames_.push_back(std::move(frame));
  return true;
}

void send_queue::pop() {
  bytes_ -= frames_[head_]->size();
  frames_[head_].reset();
  if (++head_ == frames_.size()) clear();
}

void send_queue::clear() {
  frames_.clear();
  if (frames_.capacity() > retained_capacity) frames_.shrink_to_fit();
  head_ = 0;
  bytes_ = 0;
}

frame_ptr send_queue::take_batch(std::size_t max_bytes) {
  if (size() == 1) {
    auto frame = front();
    pop();
    return frame;
  }
  std::size_t count = 0;
  std::size_t length = 1;  // '['
  for (auto i = head_; i < frames_.size(); ++i) {
    const auto next = length + frames_[i]->size() + 1;  // ',' or ']'
    if (count > 0 && next > max_bytes) break;
    length = next;
    ++count;
  }
  auto batch = std::make_shared<std::string>();
  batch->reserve(length);
  batch->push_back('[');
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) batch->push_back(',');
    batch->append(*frames_[head_]);
    pop();
  }
  batch->push_back(']');
  return batch;
}

}  // namespace chatterbox
