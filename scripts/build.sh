#!/usr/bin/env bash
# Configures and builds one flavour of Chatterbox: `release` (build/) or `asan` (build-asan/,
# AddressSanitizer + UndefinedBehaviorSanitizer). Optional further arguments name the targets
# to build (default: everything the flavour needs).
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
targets=()
cxx=  # the compiler, when the flavour needs a particular one
case "$flavour" in
  # -g1 (line tables) rather than full debug info: Beast's templates make -g the biggest part
  # of compile time, and line numbers are what crash and sanitizer reports need.
  release) dir=build; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG") ;;
  # The sanitizer build is clang's, so the libFuzzer harnesses (fuzz/) are built in it too, from
  # the same objects: the tests and the fuzzers share one compilation of the project. It needs
  # the server, the tests and the harnesses (not the load generator).
  asan) dir=build-asan
        cxx=clang++
        flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
               -DCHATTERBOX_SANITIZE=ON -DCHATTERBOX_FUZZ=ON)
        targets=(chatterbox chatterbox_tests $(cd fuzz && ls fuzz_*.cpp | sed 's/\.cpp$//')) ;;
  *) echo "usage: $0 [release|asan]" >&2; exit 2 ;;
esac
shift || true
[ $# -gt 0 ] && targets=("$@")
if [ "$cxx" = clang++ ] && { ! command -v clang++ >/dev/null ||
   ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; }; then
  bash scripts/setup.sh --only clang libclang-rt-14-dev  # Debian ships libFuzzer apart from clang
fi
# A build directory configured with another compiler (build-asan/ was g++'s before) cannot be
# switched in place: start it over.
if [ -n "$cxx" ] && [ -f "$dir/CMakeCache.txt" ] &&
   ! grep -qE "^CMAKE_CXX_COMPILER:[A-Z]*=(.*/)?${cxx//+/\\+}\$" "$dir/CMakeCache.txt"; then
  rm -rf "$dir"
fi
# Unity build: a dozen sources compiled as one. Beast's and Asio's templates are instantiated
# once per batch instead of once per file, which cuts a full build (what CI does, twice) to about
# a third; the price is that editing one file recompiles its batch. Names in anonymous
# namespaces must therefore be unique across src/ (shared helpers live in headers).
cmake -S . -B "$dir" -G Ninja ${cxx:+"-DCMAKE_CXX_COMPILER=$cxx"} "${flags[@]}" \
  -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=12 >/dev/null
ninja -C "$dir" "${targets[@]}"
