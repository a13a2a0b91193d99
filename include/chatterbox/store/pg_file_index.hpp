#pragma once

#include "chatterbox/postgres/pg_batcher.hpp"
#include "chatterbox/store/file_index.hpp"

namespace chatterbox {

// File rows in PostgreSQL shared by several nodes, through the node's group commit. The bytes
// are in a file_store every node must share (one directory, --files-dir: docs/scale-out.md).
class pg_file_index final : public file_index {
 public:
  explicit pg_file_index(pg_batcher& writes) : writes_(writes) {}

  void bytes_of_user(std::int64_t user_id, answer<std::int64_t> then) override;
  void insert(file_record record, answer<file_record> then) override;
  void find(std::int64_t id, answer<std::optional<file_record>> then) override;
  void unused_blobs(std::vector<std::string> sha256s,
                    answer<std::vector<std::string>> then) override;
  void remove_unattached(std::int64_t before_ms, int limit, answer<swept_uploads> then) override;

 private:
  pg_batcher& writes_;
};

}  // namespace chatterbox
