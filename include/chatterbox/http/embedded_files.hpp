#pragma once

#include <span>
#include <string_view>

namespace chatterbox {

// A file compiled into the binary by cmake/embed_files.cmake.
struct embedded_file {
  std::string_view path;  // "/index.html" for web/index.html; "schema.sql" for the schema
  std::string_view data;
  std::string_view etag;  // quoted strong validator derived from the content's SHA-256
};

std::span<const embedded_file> embedded_files();

}  // namespace chatterbox
