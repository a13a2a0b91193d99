#!/usr/bin/env bash
# Configures and builds one flavour of Chatterbox: `release` (build/) or `asan` (build-asan/,
# AddressSanitizer + UndefinedBehaviorSanitizer). Optional further arguments name the targets
# to build (default: everything the flavour needs).
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
targets=()
case "$flavour" in
  # -g1 (line tables) rather than full debug info: Beast's templates make -g the biggest part
  # of compile time, and line numbers are what crash and sanitizer reports need.
  release) dir=build; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG") ;;
  # The sanitizer build needs only the server and the tests (not the load generator).
  asan) dir=build-asan
        flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
               -DCHATTERBOX_SANITIZE=ON)
        targets=(chatterbox chatterbox_tests) ;;
  *) echo "usage: $0 [release|asan]" >&2; exit 2 ;;
esac
shift || true
[ $# -gt 0 ] && targets=("$@")
cmake -S . -B "$dir" -G Ninja "${flags[@]}" >/dev/null
ninja -C "$dir" "${targets[@]}"
