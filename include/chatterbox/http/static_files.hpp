#pragma once

#include "chatterbox/http/responses.hpp"

#include <optional>
#include <string>

namespace chatterbox {

// The web client: from the files compiled into the binary, or from a directory on disk
// (--web-dir) so the client can be edited without rebuilding.
class static_files {
 public:
  explicit static_files(std::optional<std::string> web_dir);

  // GET/HEAD of a client path; 404 for anything that is not a client file.
  http_response serve(const http_request& request) const;

 private:
  std::optional<std::string> web_dir_;
};

std::string_view content_type_for(std::string_view path);

}  // namespace chatterbox
