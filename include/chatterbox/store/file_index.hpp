#pragma once

#include "chatterbox/storage/file_repository.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace chatterbox {

// Uploads swept: how many rows went, and the blobs no row names any more (to remove).
struct swept_uploads {
  std::size_t rows = 0;
  std::vector<std::string> unused_blobs;
};

// The rows of uploaded files (docs/protocol.md, "POST /api/files"), as the HTTP side and the
// sweeper need them; their bytes are in a file_store. Like the other stores, every call answers
// later on the event loop (`ok` false: nothing the caller can rely on), so uploads work the
// same on one node's SQLite and on PostgreSQL (docs/scale-out.md). Attaching a file to a
// message and removing a deleted message's file are the chat store's (in the message's
// transaction).
class file_index {
 public:
  template <class Result>
  using answer = std::function<void(bool ok, Result& result)>;

  virtual ~file_index() = default;

  // Sum of the sizes of the user's uploads (the quota).
  virtual void bytes_of_user(std::int64_t user_id, answer<std::int64_t> then) = 0;
  // The stored row, its id set.
  virtual void insert(file_record record, answer<file_record> then) = 0;
  // With message_deleted filled in from the message it is attached to.
  virtual void find(std::int64_t id, answer<std::optional<file_record>> then) = 0;
  // Those of `sha256s` no row names.
  virtual void unused_blobs(std::vector<std::string> sha256s,
                            answer<std::vector<std::string>> then) = 0;
  // Removes up to `limit` uploads never attached and created before `before_ms`.
  virtual void remove_unattached(std::int64_t before_ms, int limit, answer<swept_uploads> then) = 0;
};

}  // namespace chatterbox
