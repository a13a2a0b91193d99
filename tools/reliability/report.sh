#!/usr/bin/env bash
# The long reliability runs, and docs/reliability.md regenerated from their results:
# every fuzzer for 10 minutes, the crash test with 20 kills, a 10-minute soak of the ASan build,
# the login-flood latency measurement and the chaos run (about a minute). Takes about 26 minutes.
# Results and logs are kept in build-reliability/. Exits non-zero if any run failed (the report
# is written either way).
#   tools/reliability/report.sh
#   FUZZ_SECONDS=60 KILLS=3 SOAK_SECONDS=60 tools/reliability/report.sh     quick trial
#   RELEASE_BINARY=build-rel/chatterbox ASAN_BINARY=build-asan/chatterbox ...   skip the builds
set -uo pipefail
cd "$(dirname "$0")/../.."
bash tools/reliability/deps.sh || exit 1
fuzz_seconds=${FUZZ_SECONDS:-600}
kills=${KILLS:-20}
soak_seconds=${SOAK_SECONDS:-600}
release=${RELEASE_BINARY:-build/chatterbox}
asan=${ASAN_BINARY:-build-asan/chatterbox}
[ -n "${RELEASE_BINARY:-}" ] || bash scripts/build.sh release || exit 1
[ -n "${ASAN_BINARY:-}" ] || bash scripts/build.sh asan || exit 1

out=build-reliability
rm -rf "$out"
mkdir -p "$out"
python=/usr/bin/python3  # Debian's, where python3-websockets is installed
cat >"$out/meta.json" <<JSON
{"commit": "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src include || echo ' + uncommitted server changes')",
 "date": "$(date -u '+%Y-%m-%d %H:%M UTC')", "cpus": $(nproc),
 "machine": "$(. /etc/os-release && echo "$PRETTY_NAME"), $(uname -m)",
 "load": "$(cut -d' ' -f1-3 /proc/loadavg)", "release": "$release", "asan": "$asan",
 "fuzz_seconds": $fuzz_seconds}
JSON

failed=()
run() {
  local name=$1; shift
  echo "=== report: $name"
  "$@" 2>&1 | tee "$out/$name.txt"
  local status=${PIPESTATUS[0]}
  [ "$status" -eq 0 ] || failed+=("$name")
}

run fuzz env FUZZ_PARALLEL=1 bash fuzz/run.sh "$fuzz_seconds"
cp build-asan/fuzz/logs/*.log "$out/" 2>/dev/null
tail -1 "$out/fuzz.txt" >"$out/fuzz.summary"
run crash "$python" tools/reliability/crash_test.py --kills "$kills" --binary "$release"
run soak "$python" tools/reliability/soak.py --duration "$soak_seconds" --binary "$asan"
run flood "$python" tools/reliability/login_flood.py --binary "$release"
run chaos "$python" tools/reliability/chaos_test.py --warmup 10 --full-seconds 10 --kills 5 \
  --cooldown 10 --binary "$release"

"$python" tools/reliability/write_report.py "$out" >docs/reliability.md
echo "report: wrote docs/reliability.md"
if [ ${#failed[@]} -gt 0 ]; then
  echo "report: FAILED: ${failed[*]}" >&2
  exit 1
fi
