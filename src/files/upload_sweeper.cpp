#include "chatterbox/files/upload_sweeper.hpp"

#include "chatterbox/clock.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace chatterbox {
namespace {

// Rows deleted per transaction: one sweep never holds the write lock for long.
constexpr int sweep_batch = 200;
// Blobs live in folders named by the first byte of their SHA-256.
constexpr int blob_folders = 256;

}  // namespace

upload_sweeper::upload_sweeper(boost::asio::io_context& io, file_index& rows, file_store& store,
                               std::chrono::milliseconds max_age, std::chrono::milliseconds period,
                               std::chrono::milliseconds orphan_age)
    : rows_(rows),
      store_(store),
      max_age_(max_age),
      period_(period),
      orphan_age_(orphan_age),
      timer_(io) {}

void upload_sweeper::start() {
  // Soon after startup too: a server restarted daily would otherwise never sweep.
  schedule(std::chrono::minutes(1));
}

void upload_sweeper::stop() {
  stopped_ = true;
  timer_.cancel();
}

void upload_sweeper::schedule(std::chrono::milliseconds delay) {
  if (stopped_) return;
  timer_.expires_after(delay);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_) return;
    sweep();
  });
}

void upload_sweeper::sweep() {
  const auto before = epoch_ms() - max_age_.count();
  rows_.remove_unattached(before, sweep_batch, [this](bool stored, swept_uploads& swept) {
    if (stopped_) return;
    if (!stored) {
      spdlog::warn("files: could not remove old unsent uploads; retrying later");
      return schedule(period_);
    }
    for (auto& sha256 : swept.unused_blobs) store_.remove_blob(std::move(sha256));
    if (swept.rows > 0) spdlog::info("files: removed {} unsent uploads", swept.rows);
    // A full batch may have left more behind: go on at once.
    if (swept.rows == static_cast<std::size_t>(sweep_batch)) {
      return schedule(std::chrono::milliseconds(0));
    }
    sweep_blobs(0);
  });
}

void upload_sweeper::sweep_blobs(int folder) {
  if (stopped_) return;
  if (folder == blob_folders) {
    ++completed_sweeps_;
    return schedule(period_);
  }
  // An upload's blob is on disk before its row is committed (and pinned until then): only
  // blobs older than any upload still waiting for its row are candidates.
  const auto written_before = std::filesystem::file_time_type::clock::now() - orphan_age_;
  store_.list_blobs(folder, written_before, [this, folder](std::vector<std::string> blobs) {
    if (stopped_) return;
    if (blobs.empty()) return sweep_blobs(folder + 1);
    rows_.unused_blobs(
        std::move(blobs), [this, folder](bool read, std::vector<std::string>& unused) {
          if (stopped_) return;
          if (!read) return schedule(period_);
          for (auto& sha256 : unused) store_.remove_blob(std::move(sha256));
          if (!unused.empty()) {
            spdlog::info("files: removed {} stored files nothing refers to", unused.size());
          }
          sweep_blobs(folder + 1);
        });
  });
}

}  // namespace chatterbox
