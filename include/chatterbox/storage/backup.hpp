#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace chatterbox {

struct backup_summary {
  std::int64_t messages = 0;      // in the copy
  std::size_t files_copied = 0;   // uploads whose bytes were copied
  std::size_t files_missing = 0;  // rows whose bytes were gone (deleted while copying)
};

// A consistent copy of a live database (docs/operations.md, "Backup"), taken through SQLite's
// online backup API in one step, so it is the database as of one commit: every message
// acknowledged before the call began is in it, whatever the server writes meanwhile (in WAL a
// reader never blocks the writer). The copy is a single file (journal_mode DELETE), checked
// with PRAGMA quick_check before it is renamed to `target`; the uploads its rows name are
// copied from `files_dir` to `<target>.files` first, laid out as the server lays them out, so
// `chatterbox --db <target>` serves the copy as it is.
//
// Throws std::runtime_error with a message for the operator: `target` or `<target>.files`
// exists, the database cannot be read, the copy fails its check, a file cannot be written.
backup_summary backup_database(const std::string& db_path, const std::string& files_dir,
                               const std::string& target);

}  // namespace chatterbox
