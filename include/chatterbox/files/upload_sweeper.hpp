#pragma once

#include "chatterbox/files/file_store.hpp"
#include "chatterbox/store/file_index.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>

namespace chatterbox {

// Removes uploads never attached to a message (a send that was cancelled or never made) once
// they are `max_age` old, with their blob when no other upload has the same bytes; then looks
// through the blobs on disk for any that no row names (left by a crash between storing a blob
// and committing its row) and are older than `orphan_age`, a folder at a time. Runs every
// `period` on the event loop; the deletions go through the file index (its store's commit).
class upload_sweeper {
 public:
  upload_sweeper(boost::asio::io_context& io, file_index& rows, file_store& store,
                 std::chrono::milliseconds max_age = std::chrono::hours(24),
                 std::chrono::milliseconds period = std::chrono::hours(1),
                 std::chrono::milliseconds orphan_age = std::chrono::hours(1));

  void start();
  void stop();
  // One sweep at once (then every `period`), for tests.
  void sweep_now() { sweep(); }
  // Sweeps that have looked through every blob folder (for tests).
  std::size_t completed_sweeps() const { return completed_sweeps_; }

 private:
  void schedule(std::chrono::milliseconds delay);
  void sweep();
  // Blobs of folder `folder` (0-255) no row names; then the next folder, or the next sweep.
  void sweep_blobs(int folder);

  file_index& rows_;
  file_store& store_;
  std::chrono::milliseconds max_age_;
  std::chrono::milliseconds period_;
  std::chrono::milliseconds orphan_age_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
  std::size_t completed_sweeps_ = 0;
};

}  // namespace chatterbox
