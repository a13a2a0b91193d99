#!/usr/bin/env bash
# Builds the libFuzzer harnesses (in the sanitizer build, build-asan/: clang, ASan + UBSan, see
# scripts/build.sh) and runs each one for N seconds (default 60) from its committed seed corpus.
# Exits non-zero if any harness crashes, leaks, trips a sanitizer or fails to build.
#   fuzz/run.sh [seconds]            all harnesses
#   FUZZ_ONLY=fuzz_client_frame fuzz/run.sh 30     one harness
#   FUZZ_PARALLEL=1 fuzz/run.sh 600               all at once
# Per-harness logs and the final stats line go to build-asan/fuzz/logs/<name>.log; crashing
# inputs are written to build-asan/fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
build=build-asan
out=$build/fuzz

read -r -a harnesses <<<"$(cd fuzz && ls fuzz_*.cpp | sed 's/\.cpp$//' | tr '\n' ' ')"
[ -n "${FUZZ_ONLY:-}" ] && read -r -a harnesses <<<"$FUZZ_ONLY"
bash scripts/build.sh asan "${harnesses[@]}"

mkdir -p "$out/logs" "$out/artifacts"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

run_one() {
  local harness=$1
  # New inputs go to a scratch corpus so a run never rewrites the committed seeds.
  local work=$out/corpus/${harness#fuzz_}
  mkdir -p "$work"
  "$build/$harness" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
    -rss_limit_mb=2048 -max_len=26000 -artifact_prefix="$out/artifacts/$harness-" \
    "$work" "fuzz/corpus/${harness#fuzz_}" >"$out/logs/$harness.log" 2>&1
}

report() {
  local harness=$1 status=$2 log=$out/logs/$1.log
  if [ "$status" -eq 0 ]; then
    echo "fuzz: $harness ok: $(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}') executions"
  else
    echo "fuzz: $harness FAILED (exit $status, see $log)"
    tail -40 "$log" | sed 's/^/  /'
  fi
}

# FUZZ_PARALLEL=1 runs every harness at once (each still gets the full wall-clock time); CI and
# report.sh use it on the 2-core machine to keep their total time down.
failed=()
if [ "${FUZZ_PARALLEL:-0}" = 1 ]; then
  echo "fuzz: ${harnesses[*]} for ${seconds}s each, concurrently"
  pids=()
  for harness in "${harnesses[@]}"; do run_one "$harness" & pids+=($!); done
  for i in "${!harnesses[@]}"; do
    status=0; wait "${pids[$i]}" || status=$?
    report "${harnesses[$i]}" "$status"
    [ "$status" -eq 0 ] || failed+=("${harnesses[$i]}")
  done
else
  for harness in "${harnesses[@]}"; do
    echo "fuzz: $harness for ${seconds}s"
    status=0; run_one "$harness" || status=$?
    report "$harness" "$status"
    [ "$status" -eq 0 ] || failed+=("$harness")
  done
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failures in ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: all harnesses ran ${seconds}s without a finding"
