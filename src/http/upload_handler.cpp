#include "chatterbox/http/upload_handler.hpp"

#include "chatterbox/http/positive_id.hpp"

#include "chatterbox/clock.hpp"
#include "chatterbox/files/file_name.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

namespace chatterbox {
namespace {

// A refusal before the body is read: the connection must close, since the unread body would
// otherwise be taken for the next request.
http_response refuse(http::status status, const http_request& header, std::string_view code,
                     std::string_view message) {
  auto response = json_error(status, header, code, message);
  response.keep_alive(false);
  return response;
}

}  // namespace

upload_handler::upload_handler(const server_config& config, file_services files)
    : config_(config), files_(std::move(files)) {}

void upload_handler::begin(http_request&& header, std::uint64_t size, std::int64_t user_id,
                           std::function<void(decision)> then) {
  const auto target = header.target();
  const auto room = positive_id(query_parameter(target, "room").value_or(""));
  std::optional<std::string> name;
  if (const auto raw = query_parameter(target, "name")) {
    if (auto decoded = percent_decode(*raw)) name = clean_file_name(*decoded);
  }
  if (!name) {
    return then(refuse(http::status::bad_request, header, "invalid_name",
                       "name must be 1-255 bytes of UTF-8 without control characters"));
  }
  if (!room || !files_.is_member(*room, user_id)) {
    return then(refuse(http::status::not_found, header, "not_found", "no such room"));
  }
  auto held = std::make_shared<http_request>(std::move(header));
  files_.rows.bytes_of_user(
      user_id, [this, held, size, user_id, room = *room, name = std::move(*name),
                then = std::move(then)](bool ok, std::int64_t& bytes) mutable {
        if (!ok) {
          auto busy = database_busy(*held);
          busy.keep_alive(false);
          return then(std::move(busy));
        }
        // Counted when the answer comes, with what is being read now: two parallel uploads
        // cannot both pass the quota.
        const auto stored = static_cast<std::uint64_t>(bytes);
        const auto reading = in_flight_[user_id];
        if (stored + reading + size > config_.user_quota_bytes) {
          if (reading == 0) in_flight_.erase(user_id);
          return then(refuse(http::status::payload_too_large, *held, "quota_exceeded",
                             "this upload would pass your storage quota"));
        }
        in_flight_[user_id] += size;
        then(std::make_shared<upload_in_progress>(*this, std::move(*held), user_id, room,
                                                  std::move(name), size));
      });
}

void upload_handler::release(std::int64_t user_id, std::uint64_t bytes) {
  const auto it = in_flight_.find(user_id);
  if (it == in_flight_.end()) return;
  it->second -= std::min(it->second, bytes);
  if (it->second == 0) in_flight_.erase(it);
}

upload_in_progress::upload_in_progress(upload_handler& handler, http_request header,
                                       std::int64_t user_id, std::int64_t room, std::string name,
                                       std::uint64_t size)
    : handler_(handler),
      header_(std::move(header)),
      user_id_(user_id),
      room_(room),
      name_(std::move(name)),
      size_(size),
      file_(handler.files_.store.start_upload()) {}

upload_in_progress::~upload_in_progress() {
  // An upload dropped without finish or abort (a bug, or the loop's shutdown) leaves no file.
  if (file_) file_->abort();
  handler_.release(user_id_, size_);
}

void upload_in_progress::write(const char* data, std::size_t size,
                               std::function<void(bool ok)> done) {
  if (!file_) return done(false);
  file_->write(data, size, std::move(done));
}

void upload_in_progress::abort() {
  if (file_) file_->abort();
  file_.reset();
}

void upload_in_progress::finish(respond_fn respond) {
  if (!file_) {
    return respond(json_error(http::status::internal_server_error, header_, "internal",
                              "the file could not be stored"));
  }
  auto file = std::move(file_);
  // The upload object stays alive (and its quota reserved) until the row is committed.
  file->finish([this, respond = std::move(respond)](std::optional<file_upload::stored> stored) {
    if (!stored) {
      return respond(json_error(http::status::internal_server_error, header_, "internal",
                                "the file could not be stored"));
    }
    auto record = std::make_shared<file_record>();
    record->sha256 = stored->sha256;
    record->user_id = user_id_;
    record->room_id = room_;
    record->name = name_;
    record->size = static_cast<std::int64_t>(stored->size);
    record->type = std::string(stored->sniffed.type);
    if (stored->sniffed.width) record->width = *stored->sniffed.width;
    if (stored->sniffed.height) record->height = *stored->sniffed.height;
    record->created_at = epoch_ms();
    auto& files = handler_.files_;
    files.rows.insert(
        *record, [this, &files, record, respond](bool committed, file_record& stored_row) {
          if (!committed) {
            // The blob may now be named by no row; it goes unless another upload has the bytes.
            files.rows.unused_blobs({record->sha256},
                                    [&files, record](bool ok, std::vector<std::string>& unused) {
                                      files.store.unpin(record->sha256);
                                      if (!ok) return;  // the sweeper finds it later
                                      for (auto& sha256 : unused) files.store.remove_blob(sha256);
                                    });
            return respond(database_busy(header_));
          }
          files.store.unpin(record->sha256);
          spdlog::info("upload: user={} room={} file={} size={} type={}", user_id_, room_,
                       stored_row.id, stored_row.size, stored_row.type);
          nlohmann::json body = {{"id", stored_row.id},
                                 {"name", stored_row.name},
                                 {"size", stored_row.size},
                                 {"type", stored_row.type}};
          if (stored_row.width && stored_row.height) {
            body["width"] = *stored_row.width;
            body["height"] = *stored_row.height;
          }
          respond(json_response(http::status::created, header_, body));
        });
  });
}

}  // namespace chatterbox
