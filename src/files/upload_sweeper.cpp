#include "chatterbox/files/upload_sweeper.hpp"

#include "chatterbox/clock.hpp"

#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <vector>

namespace chatterbox {
namespace {

// Rows deleted per transaction: one sweep never holds the write lock for long.
constexpr int sweep_batch = 200;

}  // namespace

upload_sweeper::upload_sweeper(boost::asio::io_context& io, file_repository& rows,
                               file_store& store, write_batcher& writes,
                               std::chrono::milliseconds max_age, std::chrono::milliseconds period)
    : rows_(rows), store_(store), writes_(writes), max_age_(max_age), period_(period), timer_(io) {}

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
  struct outcome {
    std::vector<std::string> unused_blobs;
    std::size_t rows = 0;
  };
  auto result = std::make_shared<outcome>();
  writes_.submit(
      [this, before, result] {
        *result = {};
        for (const auto& file : rows_.unattached_before(before, sweep_batch)) {
          rows_.remove(file.id);
          ++result->rows;
          if (!rows_.sha256_in_use(file.sha256)) result->unused_blobs.push_back(file.sha256);
        }
      },
      [this, result](bool stored) {
        if (!stored) {
          spdlog::warn("files: could not remove old unsent uploads; retrying later");
          return schedule(period_);
        }
        for (auto& sha256 : result->unused_blobs) store_.remove_blob(std::move(sha256));
        if (result->rows > 0) spdlog::info("files: removed {} unsent uploads", result->rows);
        // A full batch may have left more behind: go on at once.
        schedule(result->rows == static_cast<std::size_t>(sweep_batch) ? std::chrono::milliseconds(0)
                                                                        : period_);
      });
}

}  // namespace chatterbox
