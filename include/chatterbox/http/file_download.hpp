#pragma once

#include "chatterbox/http/responses.hpp"
#include "chatterbox/http/upload_handler.hpp"

#include <boost/beast/core/file.hpp>
#include <boost/beast/http/basic_file_body.hpp>

#include <cstdint>
#include <optional>
#include <variant>

namespace chatterbox {

// A file as Beast's basic_file_body sees it, limited to one byte range: the body then streams
// just that range (read in chunks as the socket drains), which file_body alone cannot do.
class file_slice {
 public:
  using native_handle_type = boost::beast::file::native_handle_type;

  bool is_open() const { return file_.is_open(); }
  void close(boost::beast::error_code& ec) { file_.close(ec); }
  void open(const char* path, boost::beast::file_mode mode, boost::beast::error_code& ec);
  std::uint64_t size(boost::beast::error_code& ec) const;
  std::uint64_t pos(boost::beast::error_code& ec) const { return file_.pos(ec); }
  void seek(std::uint64_t offset, boost::beast::error_code& ec) { file_.seek(offset, ec); }
  std::size_t read(void* buffer, std::size_t n, boost::beast::error_code& ec) {
    return file_.read(buffer, n, ec);
  }
  std::size_t write(const void* buffer, std::size_t n, boost::beast::error_code& ec) {
    return file_.write(buffer, n, ec);
  }
  native_handle_type native_handle() const { return file_.native_handle(); }
  void native_handle(native_handle_type fd) { file_.native_handle(fd); }

  // Serve `length` bytes from `first` on.
  void limit(std::uint64_t first, std::uint64_t length, boost::beast::error_code& ec);

 private:
  boost::beast::file file_;
  std::optional<std::uint64_t> length_;
};

using file_response = http::response<http::basic_file_body<file_slice>>;

// GET /api/files/{id}/{name} (docs/protocol.md): who may read a file, and its headers (type from
// its bytes, attachment unless an allowed image, nosniff, sandbox CSP, ETag, ranges).
class file_download {
 public:
  explicit file_download(file_services files) : files_(std::move(files)) {}

  using answer = std::variant<http_response, file_response>;

  // `user_id`: the authenticated user.
  void serve(const http_request& request, std::int64_t user_id, std::function<void(answer)> then);

 private:
  // Once the file's row is read (nullopt: none).
  answer answer_for(const http_request& request, std::int64_t user_id,
                    const std::optional<file_record>& file);

  file_services files_;
};

}  // namespace chatterbox
