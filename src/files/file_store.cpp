#include "chatterbox/files/file_store.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace chatterbox {
namespace {

namespace fs = std::filesystem;

std::string hex(const unsigned char* data, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(digits[data[i] >> 4]);
    out.push_back(digits[data[i] & 15]);
  }
  return out;
}

std::string random_name() {
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  return hex(bytes, sizeof bytes) + ".part";
}

// A rename is durable only once the directory holding the new name is.
void sync_directory(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

file_upload::file_upload(file_store& store, std::string temp_path)
    : store_(store), temp_path_(std::move(temp_path)) {
  crypto_hash_sha256_init(&hash_);
}

file_upload::~file_upload() {
  // Every path ends in finish or abort; should one not, the descriptor at least is not leaked.
  // (The temporary file then goes at the next start.)
  if (fd_ >= 0) ::close(fd_);
}

void file_upload::write(const char* data, std::size_t size, written_fn done) {
  store_.on_worker([self = shared_from_this(), data, size, done = std::move(done)]() mutable {
    const bool ok = self->write_all(data, size);
    self->store_.on_loop([done = std::move(done), ok] { done(ok); });
  });
}

void file_upload::finish(finished_fn done) {
  store_.on_worker([self = shared_from_this(), done = std::move(done)]() mutable {
    auto result = self->store();
    self->store_.on_loop(
        [done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); });
  });
}

void file_upload::abort() {
  store_.on_worker([self = shared_from_this()] { self->discard(); });
}

bool file_upload::open_if_needed() {
  if (fd_ >= 0) return true;
  if (failed_ || done_) return false;
  fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    failed_ = true;
    spdlog::error("files: cannot create {}: {}", temp_path_, std::strerror(errno));
    return false;
  }
  return true;
}

bool file_upload::write_all(const char* data, std::size_t size) {
  if (!open_if_needed()) return false;
  crypto_hash_sha256_update(&hash_, reinterpret_cast<const unsigned char*>(data), size);
  size_ += size;
  while (size > 0) {
    const auto n = ::write(fd_, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      spdlog::error("files: cannot write {}: {}", temp_path_, std::strerror(errno));
      failed_ = true;
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

std::optional<file_upload::stored> file_upload::store() {
  // An empty upload has written nothing yet: it still gets a (empty) file.
  if (!open_if_needed()) {
    discard();
    return std::nullopt;
  }
  if (::fsync(fd_) != 0) {
    spdlog::error("files: cannot fsync {}: {}", temp_path_, std::strerror(errno));
    discard();
    return std::nullopt;
  }
  stored result;
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&hash_, digest);
  result.sha256 = hex(digest, sizeof digest);
  result.size = size_;

  // The type is read back from the file, so no upload holds its first bytes in memory.
  std::vector<unsigned char> head(static_cast<std::size_t>(std::min<std::uint64_t>(size_, sniff_prefix_bytes)));
  const int reader = ::open(temp_path_.c_str(), O_RDONLY | O_CLOEXEC);
  std::size_t got = 0;
  if (reader >= 0) {
    while (got < head.size()) {
      const auto n = ::pread(reader, head.data() + got, head.size() - got, static_cast<off_t>(got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
    }
    ::close(reader);
  }
  result.sniffed = sniff_type(std::span<const unsigned char>(head.data(), got));

  store_.pin(result.sha256);
  const auto final_path = store_.blob_path(result.sha256);
  const auto folder = fs::path(final_path).parent_path();
  std::error_code ec;
  fs::create_directories(folder, ec);
  ::close(fd_);
  fd_ = -1;
  if (fs::exists(final_path, ec)) {
    // The same bytes are already stored: keep the one copy.
    ::unlink(temp_path_.c_str());
  } else if (::rename(temp_path_.c_str(), final_path.c_str()) != 0) {
    spdlog::error("files: cannot move {} to {}: {}", temp_path_, final_path, std::strerror(errno));
    ::unlink(temp_path_.c_str());
    store_.unpin(result.sha256);
    done_ = true;
    return std::nullopt;
  } else {
    sync_directory(folder.string());
  }
  done_ = true;
  return result;
}

void file_upload::discard() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (!done_) ::unlink(temp_path_.c_str());  // ENOENT (nothing written yet) is fine
  done_ = true;
}

file_store::file_store(boost::asio::io_context& io, std::string directory, bool shared)
    : io_(io), dir_(std::move(directory)) {
  const fs::path tmp = fs::path(dir_) / "tmp";
  fs::create_directories(tmp);  // throws: the server must not start without it
  std::error_code ec;
  std::size_t removed = 0;
  const auto older_than = fs::file_time_type::clock::now() - std::chrono::hours(1);
  for (const auto& entry : fs::directory_iterator(tmp, ec)) {
    std::error_code ignored;
    if (shared && entry.last_write_time(ignored) > older_than) continue;
    if (fs::remove(entry.path(), ignored)) ++removed;
  }
  if (removed > 0) spdlog::info("files: removed {} unfinished uploads from {}", removed, tmp.string());
}

file_store::~file_store() { stop(); }

std::shared_ptr<file_upload> file_store::start_upload() {
  return std::make_shared<file_upload>(*this, (fs::path(dir_) / "tmp" / random_name()).string());
}

std::string file_store::blob_path(std::string_view sha256) const {
  return (fs::path(dir_) / std::string(sha256.substr(0, 2)) / std::string(sha256)).string();
}

void file_store::remove_blob(std::string sha256) {
  on_worker([this, sha256 = std::move(sha256)] {
    {
      // Uploads are stored on this same thread, so an upload of these bytes is either pinned
      // by now or will find the blob gone and put its own in place.
      std::lock_guard lock(pinned_mutex_);
      if (pinned_.contains(sha256)) return;
    }
    std::error_code ignored;
    fs::remove(blob_path(sha256), ignored);
  });
}

void file_store::pin(const std::string& sha256) {
  std::lock_guard lock(pinned_mutex_);
  pinned_.insert(sha256);
}

void file_store::unpin(const std::string& sha256) {
  std::lock_guard lock(pinned_mutex_);
  if (const auto it = pinned_.find(sha256); it != pinned_.end()) pinned_.erase(it);
}

void file_store::list_blobs(int folder, fs::file_time_type written_before,
                            std::function<void(std::vector<std::string>)> done) {
  on_worker([this, folder, written_before, done = std::move(done)]() mutable {
    static constexpr char digits[] = "0123456789abcdef";
    const std::string name{digits[(folder >> 4) & 15], digits[folder & 15]};
    std::vector<std::string> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(fs::path(dir_) / name, ec)) {
      std::error_code entry_ec;
      auto blob = entry.path().filename().string();
      if (blob.size() != 64 || !entry.is_regular_file(entry_ec)) continue;
      const auto written = entry.last_write_time(entry_ec);
      if (!entry_ec && written < written_before) found.push_back(std::move(blob));
    }
    on_loop([done = std::move(done), found = std::move(found)]() mutable { done(std::move(found)); });
  });
}

void file_store::stop() { worker_.join(); }

void file_store::on_worker(std::function<void()> work) {
  // The loop keeps running while disk work is in flight, so a completion is never posted to a
  // loop that already returned (a graceful shutdown waits for uploads being stored).
  auto busy = std::make_shared<decltype(boost::asio::make_work_guard(io_))>(
      boost::asio::make_work_guard(io_));
  boost::asio::post(worker_, [work = std::move(work), busy] {
    try {
      work();
    } catch (const std::exception& e) {
      // A worker job's failure must not end the worker (nor the process).
      spdlog::error("files: disk work failed: {}", e.what());
    }
  });
}

void file_store::on_loop(std::function<void()> then) {
  boost::asio::post(io_, [then = std::move(then)] {
    try {
      then();
    } catch (const std::exception& e) {
      spdlog::error("files: completion failed: {}", e.what());
    }
  });
}

}  // namespace chatterbox
