// The files directory: uploads written off the loop, content-addressed, removed when abandoned;
// and the sweeper of uploads never sent (docs/protocol.md, "POST /api/files").
#include "chatterbox/files/file_store.hpp"
#include "chatterbox/files/upload_sweeper.hpp"
#include "chatterbox/store/sqlite_file_index.hpp"
#include "chatterbox/storage/file_repository.hpp"
#include "chatterbox/storage/write_batcher.hpp"
#include "support/run_until.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <SQLiteCpp/Statement.h>
#include <boost/asio/io_context.hpp>
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>

namespace chatterbox {
namespace {

namespace fs = std::filesystem;

std::string sha256_hex(const std::string& bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const auto byte : digest) {
    out.push_back(digits[byte >> 4]);
    out.push_back(digits[byte & 15]);
  }
  return out;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

class file_store_test : public test_support::temp_db_test {
 protected:
  void attach() override {
    rows_.emplace(handle());
    writes_.emplace(io_, handle());
    store_.emplace(io_, file("files"));
  }
  void detach() override {
    store_.reset();
    writes_.reset();
    rows_.reset();
  }

  bool run_until(const std::function<bool()>& done) { return test_support::run_until(io_, done); }

  std::optional<file_upload::stored> store_bytes(const std::string& bytes, std::size_t chunk = 7) {
    auto upload = store_->start_upload();
    std::size_t at = 0;
    bool failed = false;
    while (at < bytes.size()) {
      const auto n = std::min(chunk, bytes.size() - at);
      bool written = false;
      upload->write(bytes.data() + at, n, [&](bool ok) {
        written = true;
        failed = failed || !ok;
      });
      EXPECT_TRUE(run_until([&] { return written; }));
      at += n;
    }
    EXPECT_FALSE(failed);
    std::optional<std::optional<file_upload::stored>> result;
    upload->finish([&](std::optional<file_upload::stored> stored) { result = std::move(stored); });
    EXPECT_TRUE(run_until([&] { return result.has_value(); }));
    return result.value_or(std::nullopt);
  }

  std::size_t temporary_files() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(file("files") + "/tmp")) ++n;
    return n;
  }

  std::int64_t add_row(std::int64_t user, const std::string& sha256, std::int64_t created_at,
                       std::optional<std::int64_t> message_id = std::nullopt) {
    file_record record;
    record.sha256 = sha256;
    record.user_id = user;
    record.room_id = 1;
    record.name = "f.bin";
    record.size = 3;
    record.type = "application/octet-stream";
    record.created_at = created_at;
    rows_->insert(record);
    if (message_id) rows_->attach(record.id, *message_id);
    return record.id;
  }

  boost::asio::io_context io_;
  std::optional<file_repository> rows_;
  std::optional<write_batcher> writes_;
  std::optional<file_store> store_;
};

TEST_F(file_store_test, an_upload_lands_under_its_sha256_and_nothing_stays_in_tmp) {
  const std::string bytes = "\x89PNG\r\n\x1a\n and the rest of a picture";
  const auto stored = store_bytes(bytes);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->sha256, sha256_hex(bytes));
  EXPECT_EQ(stored->size, bytes.size());
  EXPECT_EQ(stored->sniffed.type, "image/png");
  EXPECT_EQ(read_all(store_->blob_path(stored->sha256)), bytes);
  EXPECT_EQ(store_->blob_path(stored->sha256),
            file("files") + "/" + stored->sha256.substr(0, 2) + "/" + stored->sha256);
  EXPECT_EQ(temporary_files(), 0u);
}

TEST_F(file_store_test, an_empty_upload_is_a_file_too) {
  const auto stored = store_bytes("");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->size, 0u);
  EXPECT_EQ(stored->sniffed.type, "application/octet-stream");
  EXPECT_TRUE(fs::exists(store_->blob_path(stored->sha256)));
}

TEST_F(file_store_test, the_same_bytes_twice_are_one_blob) {
  const auto first = store_bytes("same bytes");
  const auto second = store_bytes("same bytes", 3);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->sha256, second->sha256);
  EXPECT_EQ(read_all(store_->blob_path(first->sha256)), "same bytes");
  EXPECT_EQ(temporary_files(), 0u);
}

TEST_F(file_store_test, an_aborted_upload_leaves_nothing) {
  auto upload = store_->start_upload();
  bool written = false;
  const std::string half = "half of it";
  upload->write(half.data(), half.size(), [&](bool) { written = true; });
  ASSERT_TRUE(run_until([&] { return written; }));
  EXPECT_EQ(temporary_files(), 1u);
  upload->abort();
  upload.reset();
  EXPECT_TRUE(run_until([&] { return temporary_files() == 0; }));
}

TEST_F(file_store_test, unfinished_uploads_are_removed_at_start) {
  std::ofstream(file("files") + "/tmp/left.part") << "left by a crash";
  store_.reset();
  store_.emplace(io_, file("files"));
  EXPECT_EQ(temporary_files(), 0u);
}

TEST_F(file_store_test, the_sweeper_removes_old_unsent_uploads_and_blobs_no_row_names) {
  const auto alice = add_user("alice");
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const auto day_ago = now - 25 * 3600 * 1000;
  const auto lonely = store_bytes("lonely");
  const auto shared = store_bytes("shared");
  const auto fresh = store_bytes("fresh");
  ASSERT_TRUE(lonely && shared && fresh);
  SQLite::Statement message(handle(),
                            "INSERT INTO messages (seq, user_id, client_id, text, ts) "
                            "VALUES (1, ?, 'c', '', 0)");
  message.bind(1, alice);
  message.exec();
  const auto message_id = handle().getLastInsertRowid();

  const auto old_lonely = add_row(alice, lonely->sha256, day_ago);
  const auto old_shared = add_row(alice, shared->sha256, day_ago);
  const auto sent_shared = add_row(alice, shared->sha256, day_ago, message_id);
  const auto young = add_row(alice, fresh->sha256, now);
  // As the uploader does once its row is committed: until then a blob is kept (pinned).
  for (const auto& stored : {*lonely, *shared, *fresh}) store_->unpin(stored.sha256);

  sqlite_file_index index(*rows_, *writes_);
  upload_sweeper sweeper(io_, index, *store_, std::chrono::hours(24), std::chrono::hours(1));
  sweeper.sweep_now();
  ASSERT_TRUE(run_until([&] { return !rows_->find(old_lonely); }));
  EXPECT_FALSE(rows_->find(old_shared));
  EXPECT_TRUE(rows_->find(sent_shared));
  EXPECT_TRUE(rows_->find(young));
  EXPECT_TRUE(run_until([&] { return !fs::exists(store_->blob_path(lonely->sha256)); }));
  EXPECT_TRUE(fs::exists(store_->blob_path(shared->sha256)));
  EXPECT_TRUE(fs::exists(store_->blob_path(fresh->sha256)));
  sweeper.stop();
}

TEST_F(file_store_test, the_sweeper_removes_blobs_no_row_names_left_by_a_crash) {
  const auto alice = add_user("alice");
  const auto orphan = store_bytes("stored, then the server stopped before committing its row");
  const auto kept = store_bytes("stored with its row");
  const auto young = store_bytes("stored a moment ago, its row on its way");
  ASSERT_TRUE(orphan && kept && young);
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  add_row(alice, kept->sha256, now);  // an upload of a moment ago, not yet sent
  for (const auto& stored : {*orphan, *kept}) store_->unpin(stored.sha256);
  const auto two_hours_ago = fs::file_time_type::clock::now() - std::chrono::hours(2);
  fs::last_write_time(store_->blob_path(orphan->sha256), two_hours_ago);
  fs::last_write_time(store_->blob_path(kept->sha256), two_hours_ago);

  sqlite_file_index index(*rows_, *writes_);
  upload_sweeper sweeper(io_, index, *store_);
  sweeper.sweep_now();
  ASSERT_TRUE(run_until([&] { return sweeper.completed_sweeps() == 1; }));
  // remove_blob runs on the worker: wait for it rather than for the sweep.
  EXPECT_TRUE(run_until([&] { return !fs::exists(store_->blob_path(orphan->sha256)); }));
  EXPECT_TRUE(fs::exists(store_->blob_path(kept->sha256)));
  EXPECT_TRUE(fs::exists(store_->blob_path(young->sha256)));
  sweeper.stop();
}

TEST_F(file_store_test, the_repository_counts_a_users_bytes_and_attaches_once) {
  const auto alice = add_user("alice");
  const auto bob = add_user("bob");
  add_row(alice, "aa", 0);
  const auto second = add_row(alice, "bb", 0);
  EXPECT_EQ(rows_->bytes_of_user(alice), 6);
  EXPECT_EQ(rows_->bytes_of_user(bob), 0);
  EXPECT_TRUE(rows_->attach(second, 77));
  EXPECT_FALSE(rows_->attach(second, 78));
  const auto found = rows_->find(second);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->message_id, 77);
  EXPECT_FALSE(found->width);
  EXPECT_TRUE(rows_->sha256_in_use("bb"));
  rows_->remove(second);
  EXPECT_FALSE(rows_->sha256_in_use("bb"));
}

}  // namespace
}  // namespace chatterbox
