#pragma once

namespace chatterbox {

// Initialises libsodium exactly once (thread-safe). Every entry point that draws randomness or
// hashes passwords calls this, so no caller has to remember a global init step. Throws
// std::runtime_error if libsodium cannot start (e.g. no entropy source).
void ensure_sodium();

}  // namespace chatterbox
