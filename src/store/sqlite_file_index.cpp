#include "chatterbox/store/sqlite_file_index.hpp"

#include "sqlite_answers.hpp"

#include <memory>
#include <utility>

namespace chatterbox {

using sqlite_answers::read_now;
using sqlite_answers::write_then;

void sqlite_file_index::bytes_of_user(std::int64_t user_id, answer<std::int64_t> then) {
  read_now<std::int64_t>("bytes of user", then, [&] { return rows_.bytes_of_user(user_id); });
}

void sqlite_file_index::insert(file_record record, answer<file_record> then) {
  auto stored = std::make_shared<file_record>(std::move(record));
  writes_.submit([this, stored] { rows_.insert(*stored); }, answering(stored, std::move(then)),
                 write_batcher::shape::one_statement);
}

void sqlite_file_index::find(std::int64_t id, answer<std::optional<file_record>> then) {
  read_now<std::optional<file_record>>("find file", then, [&] { return rows_.find(id); });
}

void sqlite_file_index::unused_blobs(std::vector<std::string> sha256s,
                                     answer<std::vector<std::string>> then) {
  read_now<std::vector<std::string>>("blobs in use", then, [&] {
    std::vector<std::string> unused;
    for (auto& sha256 : sha256s) {
      if (!rows_.sha256_in_use(sha256)) unused.push_back(std::move(sha256));
    }
    return unused;
  });
}

void sqlite_file_index::remove_unattached(std::int64_t before_ms, int limit,
                                          answer<swept_uploads> then) {
  write_then<swept_uploads>(
      writes_,
      [this, before_ms, limit](swept_uploads& swept) {
        swept = {};
        for (const auto& file : rows_.unattached_before(before_ms, limit)) {
          rows_.remove(file.id);
          ++swept.rows;
          if (!rows_.sha256_in_use(file.sha256)) swept.unused_blobs.push_back(file.sha256);
        }
      },
      std::move(then));
}

}  // namespace chatterbox
