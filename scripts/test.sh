#!/usr/bin/env bash
# Quick start, part 2: install what is missing, build, and run every test: the C++ unit and
# integration suites (normal and under ASan+UBSan), the web client's unit tests, and the
# end-to-end browser suite in Chromium. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --tests

step() { printf '\n=== %s\n' "$*"; }

step "build (release)"
bash scripts/build.sh release
step "C++ tests (release)"
ctest --test-dir build --output-on-failure -j2 --timeout 300

step "load generator smoke test (no speed assertions)"
bash bench/smoke.sh build

step "build (ASan + UBSan)"
bash scripts/build.sh asan
step "C++ tests (ASan + UBSan)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j2 --timeout 600

step "web client unit tests"
bash tests/web/run.sh

step "end-to-end browser tests"
bash tests/e2e/run.sh "$PWD/build/chatterbox"

step "reliability: fuzzing, crash durability, soak (CI-sized)"
bash tools/reliability/ci.sh

step "all tests passed"
