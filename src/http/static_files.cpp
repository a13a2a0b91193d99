#include "chatterbox/http/static_files.hpp"

#include "chatterbox/http/embedded_files.hpp"

#include <sodium.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace chatterbox {
namespace {

struct file_view {
  std::string data;
  std::string etag;
};

std::optional<file_view> embedded(std::string_view path) {
  for (const auto& file : embedded_files()) {
    if (file.path == path) return file_view{std::string(file.data), std::string(file.etag)};
  }
  return std::nullopt;
}

std::string content_etag(std::string_view data) {
  unsigned char digest[8];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size(), nullptr, 0);
  char hex[sizeof digest * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  // Built by append: GCC 12 at -O3 reports a false -Wstringop-overflow on `"\"" + string`.
  std::string etag;
  etag.reserve(sizeof hex + 2);
  etag.append(1, '"').append(hex).append(1, '"');
  return etag;
}

std::optional<file_view> from_disk(const std::string& root, std::string_view path) {
  namespace fs = std::filesystem;
  // Only plain relative names below the root: no "..", no absolute paths ("//etc/passwd"
  // would make the join below drop the root), no hidden files.
  const fs::path relative = fs::path(std::string(path.substr(1))).lexically_normal();
  if (relative.empty() || relative.has_root_path()) return std::nullopt;
  for (const auto& part : relative) {
    const auto name = part.string();
    if (name.empty() || name == ".." || name.front() == '.') return std::nullopt;
  }
  const fs::path full = fs::path(root) / relative;
  std::error_code ec;
  if (!fs::is_regular_file(full, ec)) return std::nullopt;
  std::ifstream in(full, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  if (!in) return std::nullopt;
  auto data = std::move(content).str();
  auto etag = content_etag(data);
  return file_view{std::move(data), std::move(etag)};
}

}  // namespace

std::string_view content_type_for(std::string_view path) {
  const auto dot = path.rfind('.');
  const auto ext = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "json" || ext == "webmanifest") return "application/json";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "woff2") return "font/woff2";
  if (ext == "txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

static_files::static_files(std::optional<std::string> web_dir) : web_dir_(std::move(web_dir)) {}

http_response static_files::serve(const http_request& request) const {
  std::string_view path = request.target();
  path = path.substr(0, path.find('?'));
  if (path == "/") path = "/index.html";

  const auto file = path == "schema.sql" || path.empty() || path.front() != '/'
                        ? std::nullopt
                        : (web_dir_ ? from_disk(*web_dir_, path) : embedded(path));
  if (!file) return json_error(http::status::not_found, request, "not_found", "no such file");

  if (request[http::field::if_none_match] == file->etag) {
    auto response = make_response(http::status::not_modified, request);
    response.set(http::field::etag, file->etag);
    return response;
  }
  auto response = make_response(http::status::ok, request);
  response.set(http::field::content_type, content_type_for(path));
  response.set(http::field::etag, file->etag);
  // Revalidate every time (cheap with the ETag) so an upgraded server never mixes old files in.
  response.set(http::field::cache_control, "no-cache");
  if (request.method() == http::verb::head) {
    response.content_length(file->data.size());
  } else {
    response.body() = file->data;
    response.prepare_payload();
  }
  return response;
}

}  // namespace chatterbox
