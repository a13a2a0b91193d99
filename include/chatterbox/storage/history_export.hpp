#pragma once

#include "chatterbox/storage/history_source.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace chatterbox {

enum class export_format { json, markdown };
std::optional<export_format> parse_export_format(std::string_view text);

struct export_summary {
  std::size_t rooms = 0;
  std::size_t messages = 0;
  bool too_large = false;  // stopped at `max_bytes`: what was written is incomplete
};

// A room's history, or every room's, as JSON or readable Markdown (docs/protocol.md,
// "Export"): messages in order with their authors, times, edits, replies, files and
// reactions; deleted messages are left out. It reads through a connection of its own (a
// history_source), in one read transaction (one consistent moment, and the server's writes are
// never blocked), so it runs on any thread — the server's exports run off the event loop.
class history_export {
 public:
  explicit history_export(std::unique_ptr<history_source> source) : source_(std::move(source)) {}

  std::optional<std::int64_t> room_named(std::string_view name);
  // `room`: one room, or nullopt for every room. Stops once more than `max_bytes` (0: no
  // limit) are written.
  export_summary write(std::ostream& out, export_format format, std::optional<std::int64_t> room,
                       std::int64_t now_ms, std::size_t max_bytes = 0);

 private:
  std::unique_ptr<history_source> source_;
};

}  // namespace chatterbox
