#include "chatterbox/storage/backup.hpp"

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace chatterbox {
namespace {

namespace fs = std::filesystem;

// Long enough to ride out the server's checkpoint or a write batch holding a lock.
constexpr int busy_timeout_ms = 10'000;

void sync_path(const fs::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

void refuse_existing(const fs::path& path) {
  std::error_code ec;
  if (fs::exists(path, ec)) {
    throw std::runtime_error(path.string() + " already exists; a backup never overwrites");
  }
}

std::string blob_relative(const std::string& sha256) {
  return sha256.substr(0, 2) + "/" + sha256;
}

// Copies the blobs the copy's rows name. Blobs are never rewritten in place (content-addressed),
// so a plain copy of each is a consistent copy.
void copy_files(SQLite::Database& copy, const fs::path& from, const fs::path& to,
                backup_summary& summary) {
  SQLite::Statement names(copy, "SELECT DISTINCT sha256 FROM files");
  std::vector<std::string> blobs;
  while (names.executeStep()) blobs.push_back(names.getColumn(0).getString());
  if (blobs.empty()) return;
  fs::create_directories(to);
  for (const auto& sha256 : blobs) {
    const auto source = from / blob_relative(sha256);
    const auto target = to / blob_relative(sha256);
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (!fs::copy_file(source, target, fs::copy_options::skip_existing, ec) && ec) {
      if (!fs::exists(source)) {
        // Its message was deleted since the snapshot and the server removed the bytes.
        ++summary.files_missing;
        continue;
      }
      throw std::runtime_error("cannot copy " + source.string() + ": " + ec.message());
    }
    sync_path(target, O_RDONLY);
    ++summary.files_copied;
  }
  for (const auto& entry : fs::directory_iterator(to)) sync_path(entry.path(), O_RDONLY | O_DIRECTORY);
  sync_path(to, O_RDONLY | O_DIRECTORY);
}

}  // namespace

backup_summary backup_database(const std::string& db_path, const std::string& files_dir,
                               const std::string& target) {
  const fs::path final_path = fs::absolute(target);
  const fs::path files_copy = final_path.string() + ".files";
  refuse_existing(final_path);
  refuse_existing(files_copy);
  std::error_code ec;
  if (!fs::exists(db_path, ec)) throw std::runtime_error("no database at " + db_path);

  const fs::path partial = final_path.string() + ".partial";
  fs::remove(partial, ec);
  fs::remove(partial.string() + "-journal", ec);
  backup_summary summary;
  try {
    {
      SQLite::Database source(db_path, SQLite::OPEN_READONLY, busy_timeout_ms);
      SQLite::Database copy(partial.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE,
                            busy_timeout_ms);
      {
        SQLite::Backup backup(copy, source);
        // -1: every page in one step, under one read transaction: one snapshot of the database.
        backup.executeStep(-1);
      }
      // The copy carries the source's WAL mode; a backup is better one self-contained file.
      copy.exec("PRAGMA journal_mode = DELETE");
      const auto check = copy.execAndGet("PRAGMA quick_check").getString();
      if (check != "ok") throw std::runtime_error("the copy failed its check: " + check);
      summary.messages = copy.execAndGet("SELECT count(*) FROM messages").getInt64();
      copy_files(copy, files_dir, files_copy, summary);
    }
    sync_path(partial, O_RDONLY);
    fs::rename(partial, final_path);
    sync_path(final_path.parent_path(), O_RDONLY | O_DIRECTORY);
  } catch (const SQLite::Exception& e) {
    // Nothing half-made is left (both paths were checked not to exist before).
    fs::remove(partial, ec);
    fs::remove_all(files_copy, ec);
    throw std::runtime_error(std::string("cannot back up ") + db_path + ": " + e.what());
  } catch (...) {
    fs::remove(partial, ec);
    fs::remove_all(files_copy, ec);
    throw;
  }
  return summary;
}

}  // namespace chatterbox
