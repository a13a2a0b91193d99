#pragma once

namespace chatterbox {

// `chatterbox admin COMMAND [USER] [options]` (docs/operations.md, "Administration"): account
// administration on the database file, for when the web is not reachable. COMMAND is
// list-users, promote, demote or reset-password; the options are the server's (--db, and the
// argon2 cost for reset-password). Returns the exit status: 0 done, 1 refused or failed, 2 a
// usage error.
int run_admin_command(int argc, const char* const* argv, const char* const* envp);

}  // namespace chatterbox
