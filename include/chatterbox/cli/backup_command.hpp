#pragma once

namespace chatterbox {

// `chatterbox backup [options] FILE` (docs/operations.md): the options are the server's (only
// --db and --files-dir matter), FILE comes last. Returns the process's exit status: 0 done,
// 1 the backup failed, 2 a usage error.
int run_backup_command(int argc, const char* const* argv, const char* const* envp);

}  // namespace chatterbox
