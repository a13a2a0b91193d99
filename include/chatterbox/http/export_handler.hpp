#pragma once

#include "chatterbox/storage/history_source.hpp"

#include "chatterbox/http/responses.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace chatterbox {

// GET …/export (docs/protocol.md, "Export"): a room's history, or every room's, written on a
// worker thread through a read-only connection of its own (the event loop never waits for
// it), into memory up to `max_bytes`, then answered as a download. One export at a time: a
// second meanwhile is `503 busy`, so exports cannot pile up memory or the disk's attention.
class export_handler {
 public:
  using respond_fn = std::function<void(http_response)>;

  // `open`: a connection of the export's own to the store, made on the worker thread.
  using source_opener = std::function<std::unique_ptr<history_source>()>;
  export_handler(boost::asio::io_context& io, source_opener open, std::size_t max_bytes);
  ~export_handler();  // waits for an export still being written
  export_handler(const export_handler&) = delete;
  export_handler& operator=(const export_handler&) = delete;

  // `room`: its id, or nullopt for every room (administrators). The caller has checked who
  // may. `respond` is called on the event loop.
  void start(const http_request& request, std::optional<std::int64_t> room,
             std::string file_stem, respond_fn respond);

 private:
  boost::asio::io_context& io_;
  source_opener open_;
  std::size_t max_bytes_;
  bool busy_ = false;
  boost::asio::thread_pool worker_{1};
};

}  // namespace chatterbox
