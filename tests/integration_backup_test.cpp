// `chatterbox backup FILE` against a running server under write load (docs/operations.md,
// "Backup"): the copy opens, passes PRAGMA integrity_check, holds every message acknowledged
// before the backup began, and carries the uploads its messages name.
#include "support/run_command.hpp"
#include "support/server_fixture.hpp"

#include <gtest/gtest.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace chatterbox::test_support {
namespace {

namespace fs = std::filesystem;

class backup_test : public server_test {
 protected:
  void SetUp() override {
    CHATTERBOX_SQLITE_ONLY("`chatterbox backup` copies the database file (on PostgreSQL, pg_dump)");
    server_test::SetUp();
  }

  command_result backup(const std::string& target) {
    std::string command = CHATTERBOX_BINARY;
    command.append(" backup --db ").append(file("chat.db")).append(" ").append(target);
    return run_command(command);
  }
};

TEST_F(backup_test, a_backup_under_write_load_holds_every_acknowledged_message) {
  const auto token = token_for(port(), "alice");
  // A file sent with a message, so the copy has an upload to carry.
  const auto uploaded = http_request(port(), http::verb::post, "/api/files?room=1&name=notes.txt",
                                     "the notes", {{"Authorization", "Bearer " + token}});
  ASSERT_EQ(uploaded.status, 201u) << uploaded.body;
  {
    auto sender = ws_client::connect(port(), token);
    sender->send({{"type", "send"}, {"room", 1}, {"client_id", "with-file"}, {"text", "notes"},
                  {"file", uploaded.body_json()["id"]}});
    sender->expect_match([](const json& e) { return e["type"] == "ack"; }, "ack");
  }

  // A writer that keeps sending, windowed, and notes every acknowledged client_id.
  std::mutex mutex;
  std::set<std::string> acked;
  std::atomic<bool> stop{false};
  std::atomic<bool> failed{false};
  std::thread writer([&] {
    try {
      auto client = ws_client::connect(port(), token);
      for (int batch = 0; !stop; ++batch) {
        for (int i = 0; i < 50; ++i) {
          client->send(1, "m-" + std::to_string(batch) + "-" + std::to_string(i), "under load");
        }
        for (int i = 0; i < 50; ++i) {
          const auto ack = client->expect_match([](const json& e) { return e["type"] == "ack"; }, "ack");
          std::lock_guard lock(mutex);
          acked.insert(ack["client_id"].get<std::string>());
        }
      }
    } catch (...) {
      failed = true;
    }
  });
  // Under way before the backup starts.
  const auto deadline = std::chrono::steady_clock::now() + wait_bound;
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard lock(mutex);
      if (acked.size() >= 500) break;
    }
    std::this_thread::yield();
  }
  std::set<std::string> before;
  {
    std::lock_guard lock(mutex);
    before = acked;
  }
  const auto target = file("backup.db");
  const auto result = backup(target);
  stop = true;
  writer.join();
  ASSERT_FALSE(failed);
  ASSERT_EQ(result.status, 0) << result.output;
  ASSERT_GE(before.size(), 500u);

  SQLite::Database copy(target, SQLite::OPEN_READONLY);
  EXPECT_EQ(copy.execAndGet("PRAGMA integrity_check").getString(), "ok");
  EXPECT_EQ(copy.execAndGet("PRAGMA journal_mode").getString(), "delete");
  std::set<std::string> stored;
  SQLite::Statement ids(copy, "SELECT client_id FROM messages");
  while (ids.executeStep()) stored.insert(ids.getColumn(0).getString());
  for (const auto& id : before) ASSERT_TRUE(stored.contains(id)) << id << " was acked before the backup";
  EXPECT_TRUE(stored.contains("with-file"));
  // The upload's bytes, where the server would look for them beside the copy.
  const auto sha256 = copy.execAndGet("SELECT sha256 FROM files").getString();
  std::ifstream blob(target + ".files/" + sha256.substr(0, 2) + "/" + sha256);
  std::string bytes((std::istreambuf_iterator<char>(blob)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes, "the notes");

  // The copy is a database the server runs on, with the file downloadable.
  server_process restored(target);
  const auto restored_token = token_for(restored.port(), "alice");  // her account came along
  auto reader = ws_client::connect(restored.port(), restored_token);
  EXPECT_FALSE(reader->history(1)["messages"].empty());
  const auto file_id = uploaded.body_json()["id"].get<std::int64_t>();
  const auto download = http_request(restored.port(), http::verb::get,
                                     "/api/files/" + std::to_string(file_id) + "/notes.txt", "",
                                     {{"Authorization", "Bearer " + restored_token}});
  EXPECT_EQ(download.status, 200u);
  EXPECT_EQ(download.body, "the notes");
}

TEST_F(backup_test, a_backup_never_overwrites_and_says_why) {
  const auto target = file("exists.db");
  std::ofstream(target) << "precious";
  const auto result = backup(target);
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.output.find("already exists"), std::string::npos) << result.output;
  std::ifstream kept(target);
  std::string text;
  kept >> text;
  EXPECT_EQ(text, "precious");
  EXPECT_EQ(run_command(std::string(CHATTERBOX_BINARY) + " backup").status, 2);
  EXPECT_EQ(backup(file("none.db")).status, 0);  // a fresh target works
}

TEST_F(backup_test, version_is_printed) {
  const auto result = run_command(std::string(CHATTERBOX_BINARY) + " --version");
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(result.output.rfind("chatterbox ", 0), 0u) << result.output;
}

}  // namespace
}  // namespace chatterbox::test_support
