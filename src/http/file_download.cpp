#include "chatterbox/http/file_download.hpp"

#include "chatterbox/http/positive_id.hpp"

#include "chatterbox/files/byte_range.hpp"
#include "chatterbox/files/file_name.hpp"
#include "chatterbox/files/sniff.hpp"

#include <spdlog/spdlog.h>

#include <optional>
#include <string>

namespace chatterbox {
namespace {

// "/api/files/12/shot.png" -> 12. The name part is for the browser only.
std::optional<std::int64_t> file_id_of(std::string_view target) {
  constexpr std::string_view prefix = "/api/files/";
  target = target.substr(0, target.find('?'));
  if (!target.starts_with(prefix)) return std::nullopt;
  target.remove_prefix(prefix.size());
  return positive_id(target.substr(0, target.find('/')));
}

// If-None-Match: "*" or a list of entity tags, weak ones compared weakly (RFC 9110 §13.1.2).
bool matches_etag(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const auto comma = header.find(',');
    auto tag = header.substr(0, comma);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

// The headers every answer about an existing file carries (200, 206, 304, HEAD).
template <typename Response>
void set_file_headers(Response& response, const file_record& file, const std::string& etag) {
  response.set(http::field::server, "chatterbox");
  response.set(http::field::content_type, file.type);
  response.set("X-Content-Type-Options", "nosniff");
  // Even opened directly, the file is a document without script, plugins or same-origin rights.
  response.set("Content-Security-Policy", "default-src 'none'; sandbox");
  response.set("Referrer-Policy", "no-referrer");
  response.set(http::field::content_disposition,
               content_disposition(file.name, !is_inline_image(file.type)));
  response.set(http::field::etag, etag);
  // The URL names content that never changes (an id is never reused for other bytes).
  response.set(http::field::cache_control, "private, max-age=31536000, immutable");
  response.set(http::field::accept_ranges, "bytes");
}

std::string content_range(const byte_range& part, std::uint64_t size) {
  return "bytes " + std::to_string(part.first) + "-" + std::to_string(part.last) + "/" +
         std::to_string(size);
}

}  // namespace

void file_slice::open(const char* path, boost::beast::file_mode mode,
                      boost::beast::error_code& ec) {
  length_.reset();
  file_.open(path, mode, ec);
}

std::uint64_t file_slice::size(boost::beast::error_code& ec) const {
  if (length_) {
    ec = {};
    return *length_;
  }
  return file_.size(ec);
}

void file_slice::limit(std::uint64_t first, std::uint64_t length, boost::beast::error_code& ec) {
  file_.seek(first, ec);
  if (!ec) length_ = length;
}

void file_download::serve(const http_request& request, std::int64_t user_id,
                          std::function<void(answer)> then) {
  const auto id = file_id_of(request.target());
  if (!id) {
    return then(json_error(http::status::not_found, request, "not_found", "no such file"));
  }
  auto held = std::make_shared<const http_request>(request);
  files_.rows.find(*id, [this, held, user_id, then = std::move(then)](
                            bool ok, std::optional<file_record>& file) {
    if (!ok) return then(database_busy(*held));
    then(answer_for(*held, user_id, file));
  });
}

file_download::answer file_download::answer_for(const http_request& request, std::int64_t user_id,
                                                const std::optional<file_record>& file) {
  const auto not_found = [&] {
    return json_error(http::status::not_found, request, "not_found", "no such file");
  };
  if (!file) return not_found();
  // Attached to a live message, or the user's own upload not sent yet; and a member now. Every
  // refusal is the same 404, so ids say nothing about files one may not see.
  const bool visible = file->message_id ? !file->message_deleted : file->user_id == user_id;
  if (!visible || !files_.is_member(file->room_id, user_id)) return not_found();

  const std::string etag = "\"" + file->sha256 + "\"";
  const auto size = static_cast<std::uint64_t>(file->size);
  if (const auto inm = request.find(http::field::if_none_match); inm != request.end()) {
    if (matches_etag(inm->value(), etag)) {
      http_response response{http::status::not_modified, request.version()};
      response.keep_alive(request.keep_alive());
      set_file_headers(response, *file, etag);
      return response;
    }
  }

  auto range = parse_range(request[http::field::range], size);
  // If-Range with another validator: the file it names is not this one, send it whole.
  if (const auto if_range = request.find(http::field::if_range); if_range != request.end()) {
    if (if_range->value() != etag) range = whole_file{};
  }
  if (std::holds_alternative<unsatisfiable_range>(range)) {
    auto response = json_error(http::status::range_not_satisfiable, request,
                               "range_not_satisfiable", "the range is outside the file");
    response.set(http::field::content_range, "bytes */" + std::to_string(size));
    return response;
  }
  const auto* part = std::get_if<byte_range>(&range);
  const std::uint64_t first = part ? part->first : 0;
  const std::uint64_t length = part ? part->length() : size;
  const auto status = part ? http::status::partial_content : http::status::ok;

  if (request.method() == http::verb::head) {
    http_response response{status, request.version()};
    response.keep_alive(request.keep_alive());
    set_file_headers(response, *file, etag);
    if (part) response.set(http::field::content_range, content_range(*part, size));
    response.content_length(length);
    return response;
  }

  file_slice slice;
  boost::beast::error_code ec;
  const auto path = files_.store.blob_path(file->sha256);
  slice.open(path.c_str(), boost::beast::file_mode::scan, ec);
  if (!ec) slice.limit(first, length, ec);
  if (ec) {
    // A row without its blob: the files directory was changed behind the server's back.
    spdlog::error("files: cannot open {} for file {}: {}", path, file->id, ec.message());
    return json_error(http::status::internal_server_error, request, "internal",
                      "the file is missing on the server");
  }
  file_response response{status, request.version()};
  response.keep_alive(request.keep_alive());
  set_file_headers(response, *file, etag);
  if (part) response.set(http::field::content_range, content_range(*part, size));
  response.body().reset(std::move(slice), ec);
  response.prepare_payload();
  return response;
}

}  // namespace chatterbox
