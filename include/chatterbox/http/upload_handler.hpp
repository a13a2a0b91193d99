#pragma once

#include "chatterbox/config.hpp"
#include "chatterbox/files/file_store.hpp"
#include "chatterbox/http/responses.hpp"
#include "chatterbox/store/file_index.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <variant>

namespace chatterbox {

// What the file endpoints need beyond the rest of the HTTP API.
struct file_services {
  file_index& rows;
  file_store& store;
  // Whether the user is a member of the room now (unknown rooms: false).
  std::function<bool(std::int64_t room, std::int64_t user_id)> is_member;
};

class upload_handler;

// An accepted upload whose body is being read (docs/protocol.md, "POST /api/files"): its
// bytes go to a temporary file, and its quota stays reserved until it ends.
class upload_in_progress {
 public:
  using respond_fn = std::function<void(http_response)>;

  upload_in_progress(upload_handler& handler, http_request header, std::int64_t user_id,
                     std::int64_t room, std::string name, std::uint64_t size);
  ~upload_in_progress();
  upload_in_progress(const upload_in_progress&) = delete;
  upload_in_progress& operator=(const upload_in_progress&) = delete;

  std::uint64_t expected_size() const { return size_; }
  // `data` must stay valid until `done` runs; the next write waits for it.
  void write(const char* data, std::size_t size, std::function<void(bool ok)> done);
  // All the body has arrived: store the file, record it, and answer.
  void finish(respond_fn respond);
  // The body will not complete (the connection ended): nothing is stored.
  void abort();

 private:
  upload_handler& handler_;
  http_request header_;  // for the response's version and keep-alive
  std::int64_t user_id_;
  std::int64_t room_;
  std::string name_;
  std::uint64_t size_;
  std::shared_ptr<file_upload> file_;
};

// Decides from a POST /api/files request's header whether its body is read at all, and keeps
// each user's uploads in progress within their quota.
class upload_handler {
 public:
  using decision = std::variant<http_response, std::shared_ptr<upload_in_progress>>;

  upload_handler(const server_config& config, file_services files);

  // The refusal, or the upload to feed the body to (once the quota is read). `header`: the
  // request without its body, whose Content-Length (`size`) is within --max-upload-bytes;
  // `user_id`: who sent it.
  void begin(http_request&& header, std::uint64_t size, std::int64_t user_id,
             std::function<void(decision)> then);

 private:
  friend class upload_in_progress;
  void release(std::int64_t user_id, std::uint64_t bytes);

  const server_config& config_;
  file_services files_;
  // Bytes of uploads still being read, per user: two parallel uploads cannot both pass the
  // quota.
  std::unordered_map<std::int64_t, std::uint64_t> in_flight_;
};

}  // namespace chatterbox
