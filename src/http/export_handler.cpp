#include "chatterbox/http/export_handler.hpp"

#include "chatterbox/clock.hpp"
#include "chatterbox/files/file_name.hpp"
#include "chatterbox/storage/history_export.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <memory>
#include <sstream>

namespace chatterbox {
namespace {

struct export_result {
  std::string body;
  export_summary summary;
  std::string error;  // set when the export failed
};

// A file name any browser and file system takes: the room's name kept where it is plain.
std::string file_name_for(const std::string& stem, export_format format) {
  std::string name = "chatterbox-";
  for (const char c : stem) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_';
    name.push_back(plain ? c : '_');
  }
  return name.append(format == export_format::json ? ".json" : ".md");
}

}  // namespace

export_handler::export_handler(boost::asio::io_context& io, source_opener open,
                               std::size_t max_bytes)
    : io_(io), open_(std::move(open)), max_bytes_(max_bytes) {}

export_handler::~export_handler() { worker_.join(); }

void export_handler::start(const http_request& request, std::optional<std::int64_t> room,
                           std::string file_stem, respond_fn respond) {
  const auto format_text = query_parameter(request.target(), "format").value_or("json");
  const auto format = parse_export_format(format_text);
  if (!format) {
    return respond(json_error(http::status::bad_request, request, "invalid_format",
                              "format must be json or markdown"));
  }
  if (busy_) {
    auto response = json_error(http::status::service_unavailable, request, "busy",
                               "another export is being written; retry shortly");
    response.set(http::field::retry_after, "5");
    return respond(response);
  }
  busy_ = true;
  auto shared_request = std::make_shared<http_request>(request);
  auto result = std::make_shared<export_result>();
  boost::asio::post(worker_, [this, result, room, format = *format, shared_request, respond,
                              name = file_name_for(file_stem, *format)] {
    try {
      std::ostringstream out;
      history_export source(open_());
      result->summary = source.write(out, format, room, epoch_ms(), max_bytes_);
      if (!result->summary.too_large) result->body = std::move(out).str();
    } catch (const std::exception& e) {
      result->error = e.what();
    }
    boost::asio::post(io_, [this, result, shared_request, respond, format, name] {
      busy_ = false;
      const auto& request = *shared_request;
      if (!result->error.empty()) {
        spdlog::error("export failed: {}", result->error);
        return respond(json_error(http::status::service_unavailable, request, "busy",
                                  "the export could not be read now; retry shortly"));
      }
      if (result->summary.too_large) {
        return respond(json_error(http::status::payload_too_large, request, "too_large",
                                  "the export is larger than the server sends; an operator "
                                  "can write it with `chatterbox export`"));
      }
      auto response = make_response(http::status::ok, request);
      response.set(http::field::content_type, format == export_format::json
                                                  ? "application/json; charset=utf-8"
                                                  : "text/markdown; charset=utf-8");
      response.set(http::field::content_disposition, "attachment; filename=\"" + name + "\"");
      response.set(http::field::cache_control, "no-store");
      response.body() = std::move(result->body);
      response.prepare_payload();
      spdlog::info("export: {} rooms, {} messages, {} bytes", result->summary.rooms,
                   result->summary.messages, response.body().size());
      respond(std::move(response));
    });
  });
}

}  // namespace chatterbox
