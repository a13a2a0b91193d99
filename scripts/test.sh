#!/usr/bin/env bash
# Quick start, part 2: install what is missing, build, and run every test: the C++ unit and
# integration suites (normal and under ASan+UBSan), the web client's unit tests, and the
# end-to-end browser suite in Chromium. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --tests

step() { printf '\n=== %s\n' "$*"; }

# Every server and command the tests start reads this empty file instead of the machine's
# /etc/chatterbox/chatterbox.conf, which an installed package would have put there.
export CHATTERBOX_CONFIG=/dev/null

# The Debian package test (tests/package/run.sh) runs in the background beside the ASan build
# and tests: it waits mostly on the network and dpkg, they on the CPU. Its output goes to a
# log that is printed when it is collected, or when this script stops early.
package_pid=
package_log=$PWD/build/package-test.log
stop_package_test() {
  [ -n "$package_pid" ] || return 0
  if kill -0 "$package_pid" 2>/dev/null; then
    # Its whole process group (setsid below), so apt or debootstrap stop at once; then its
    # own trap unmounts and removes its root. A bounded moment for that, then no mercy.
    kill -TERM -- "-$package_pid" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$package_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$package_pid" 2>/dev/null || true
  fi
  wait "$package_pid" 2>/dev/null || true
  echo "--- package test log (interrupted):"; cat "$package_log" 2>/dev/null || true
}
trap stop_package_test EXIT

step "build (release)"
bash scripts/build.sh release
step "C++ tests (release)"
ctest --test-dir build --output-on-failure -j2 --timeout 300

step "integration suites on PostgreSQL (--store postgres://)"
bash tests/run_on_postgres.sh build 2

step "load generator smoke test (no speed assertions)"
bash bench/smoke.sh build

step "Debian package test: started in the background (log: build/package-test.log)"
setsid bash tests/package/run.sh build </dev/null >"$package_log" 2>&1 &
package_pid=$!

step "build (ASan + UBSan)"
bash scripts/build.sh asan
step "C++ tests (ASan + UBSan)"
# In three processes rather than one per test (tests/run_sharded.sh says why); many tests wait on
# servers and timers, so three keep the two cores busy.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  bash tests/run_sharded.sh build-asan/chatterbox_tests 3 1500
step "integration suites on PostgreSQL (ASan + UBSan)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  bash tests/run_on_postgres.sh build-asan 2

step "Debian package test (started before the ASan build)"
package_status=0
wait "$package_pid" || package_status=$?
package_pid=
cat "$package_log"
[ "$package_status" -eq 0 ] || { echo "Debian package test failed (exit $package_status)"; exit 1; }

step "web client unit tests"
bash tests/web/run.sh

step "end-to-end browser tests"
bash tests/e2e/run.sh "$PWD/build/chatterbox"

step "reliability: fuzzing, crash durability, soak (CI-sized)"
bash tools/reliability/ci.sh

step "all tests passed"
