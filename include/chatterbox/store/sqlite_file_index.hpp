#pragma once

#include "chatterbox/storage/file_repository.hpp"
#include "chatterbox/storage/write_batcher.hpp"
#include "chatterbox/store/file_index.hpp"

namespace chatterbox {

// File rows in one node's SQLite database: reads answer before the call returns, writes go
// through the group commit shared with the chat.
class sqlite_file_index final : public file_index {
 public:
  sqlite_file_index(file_repository& rows, write_batcher& writes) : rows_(rows), writes_(writes) {}

  void bytes_of_user(std::int64_t user_id, answer<std::int64_t> then) override;
  void insert(file_record record, answer<file_record> then) override;
  void find(std::int64_t id, answer<std::optional<file_record>> then) override;
  void unused_blobs(std::vector<std::string> sha256s,
                    answer<std::vector<std::string>> then) override;
  void remove_unattached(std::int64_t before_ms, int limit, answer<swept_uploads> then) override;

 private:
  file_repository& rows_;
  write_batcher& writes_;
};

}  // namespace chatterbox
