#pragma once

#include "chatterbox/storage/database.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <string_view>

namespace chatterbox::test_support {

// A fresh directory per test, so tests never see each other's database files (or WAL/SHM
// side files) even when run in parallel.
class temp_dir_test : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<unsigned> counter{0};
    std::random_device random;
    dir_ = std::filesystem::temp_directory_path() /
           ("chatterbox-test-" + std::to_string(random()) + "-" + std::to_string(++counter));
    std::filesystem::create_directories(dir_);
  }

  void TearDown() override {
    std::error_code ignored;  // a leftover temp dir must not fail the test
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string file(std::string_view name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

// An opened, migrated database in its own temp dir. reopen() closes and reopens the same file
// to prove data really reached the disk. Fixtures that keep repositories (whose prepared
// statements must be finalized before the connection closes) create them in attach() and drop
// them in detach().
class temp_db_test : public temp_dir_test {
 protected:
  void SetUp() override {
    temp_dir_test::SetUp();
    open();
  }

  void TearDown() override {
    close();  // before the directory goes away
    temp_dir_test::TearDown();
  }

  virtual void attach() {}
  virtual void detach() {}

  void open() {
    db_ = std::make_unique<database>(db_path(), sync_mode::normal);
    db_->never_wait_for_locks();  // as the server does once it serves
    attach();
  }
  void close() {
    if (!db_) return;
    detach();
    db_.reset();
  }
  void reopen() {
    close();
    open();
  }

  std::string db_path() const { return file("chat.db"); }
  SQLite::Database& handle() { return db_->handle(); }

  // Inserts a user directly, for tests of tables that reference users.
  std::int64_t add_user(const std::string& name) {
    SQLite::Statement insert(handle(),
                             "INSERT INTO users (username, password_hash, created_at) "
                             "VALUES (?, 'hash', 0)");
    insert.bind(1, name);
    insert.exec();
    return handle().getLastInsertRowid();
  }

  std::unique_ptr<database> db_;
};

}  // namespace chatterbox::test_support
