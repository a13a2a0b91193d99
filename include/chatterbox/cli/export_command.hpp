#pragma once

namespace chatterbox {

// `chatterbox export [--room NAME] [--format json|markdown] [--db PATH] FILE|-`: a room's
// history (or every room's) written to FILE or standard output, while the server runs or not
// (docs/operations.md, "Export"). Exit 0 written, 1 failed (no such room, a file that exists),
// 2 a usage error.
int run_export_command(int argc, const char* const* argv, const char* const* envp);

}  // namespace chatterbox
