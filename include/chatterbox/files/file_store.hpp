#pragma once

#include "chatterbox/files/sniff.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <sodium.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace chatterbox {

class file_store;

// One upload on its way to disk (docs/protocol.md, "POST /api/files"). Every disk operation runs
// on the store's worker thread, in the order asked; each completion runs on the event loop. The
// caller asks for one operation at a time (the next chunk is read only once the previous one is
// written), so at most one chunk per upload is held.
class file_upload : public std::enable_shared_from_this<file_upload> {
 public:
  struct stored {
    std::string sha256;  // lowercase hex
    std::uint64_t size = 0;
    sniffed_type sniffed;
  };
  using written_fn = std::function<void(bool ok)>;
  using finished_fn = std::function<void(std::optional<stored>)>;

  file_upload(file_store& store, std::string temp_path);
  ~file_upload();
  file_upload(const file_upload&) = delete;
  file_upload& operator=(const file_upload&) = delete;

  // `data` must stay valid until `done` runs.
  void write(const char* data, std::size_t size, written_fn done);
  // fsync, then rename into place under the content's SHA-256 (or drop the temporary file when
  // those bytes are already stored).
  void finish(finished_fn done);
  // Removes the temporary file; nothing is stored. Idempotent, and harmless after finish.
  void abort();

 private:
  // Worker side.
  bool open_if_needed();
  bool write_all(const char* data, std::size_t size);
  std::optional<stored> store();
  void discard();

  file_store& store_;
  const std::string temp_path_;
  int fd_ = -1;
  bool failed_ = false;
  bool done_ = false;  // finished or discarded: the temporary file is gone
  std::uint64_t size_ = 0;
  crypto_hash_sha256_state hash_{};
};

// The files directory: blobs at <dir>/<hh>/<sha256 hex>, uploads in progress in <dir>/tmp/.
// Owns the one worker thread that does the disk work, so the event loop never waits on a file.
class file_store {
 public:
  // Creates the directories and empties tmp/ (what a crash left there was never referenced);
  // of a directory `shared` by several nodes (docs/scale-out.md) only what is older than an
  // hour, since another node's uploads in progress are there too. Throws when the directory
  // cannot be made: a server that cannot store files must not start.
  file_store(boost::asio::io_context& io, std::string directory, bool shared = false);
  ~file_store();

  std::shared_ptr<file_upload> start_upload();
  std::string blob_path(std::string_view sha256) const;
  // Deletes a blob no row names any more (on the worker), unless an upload of the same bytes
  // has been stored meanwhile and is waiting for its row (see pin).
  void remove_blob(std::string sha256);
  // An upload whose blob is in place but whose row is not committed yet keeps its blob from
  // remove_blob; the uploader unpins once the row is committed (or refused).
  void unpin(const std::string& sha256);
  // The blobs of one of the 256 folders (`folder` 0-255, the first byte of the SHA-256) last
  // written before `written_before`, listed on the worker; `done` gets their SHA-256s on the
  // event loop. How blobs no row names (a crash between storing a blob and committing its row)
  // are found.
  void list_blobs(int folder, std::filesystem::file_time_type written_before,
                  std::function<void(std::vector<std::string>)> done);
  // Waits for the disk work in flight (shutdown: before the loop's handlers are destroyed).
  void stop();

  const std::string& directory() const { return dir_; }

 private:
  friend class file_upload;
  // Runs `work` on the worker, then `then` on the event loop.
  void on_worker(std::function<void()> work);
  void on_loop(std::function<void()> then);

  void pin(const std::string& sha256);

  boost::asio::io_context& io_;
  std::string dir_;
  std::mutex pinned_mutex_;  // the worker pins, the loop unpins
  std::unordered_multiset<std::string> pinned_;
  boost::asio::thread_pool worker_{1};
};

}  // namespace chatterbox
