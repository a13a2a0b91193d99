#!/usr/bin/env bash
# Runs a GoogleTest binary as SHARDS processes side by side (GoogleTest's own sharding: every
# test runs once, in one of them), each bounded by TIMEOUT seconds. For the sanitizer build:
# started once per test, as ctest does, its binary cost about a second a test before the test
# even began — most of that suite's time. Each shard's output goes to a log; of a shard that
# fails, the failed tests' output and the log's end (a sanitizer report, a crash) are printed.
#   tests/run_sharded.sh BINARY SHARDS TIMEOUT [gtest flags...]
set -uo pipefail
binary=$(realpath "$1") shards=$2 bound=$3
shift 3
logs=$(dirname "$binary")/shard-logs
rm -rf "$logs"
mkdir -p "$logs"
cd "$(dirname "$binary")"  # where ctest would run it

pids=()
for ((i = 0; i < shards; i++)); do
  GTEST_TOTAL_SHARDS=$shards GTEST_SHARD_INDEX=$i \
    timeout --kill-after=10 "$bound" "$binary" "$@" >"$logs/shard-$i.log" 2>&1 &
  pids+=($!)
done

failed=0
for ((i = 0; i < shards; i++)); do
  status=0
  wait "${pids[$i]}" || status=$?
  log=$logs/shard-$i.log
  if [ "$status" -eq 0 ]; then
    echo "shard $i: $(grep -E '^\[  PASSED  \]' "$log" | tail -1)"
    continue
  fi
  failed=1
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "shard $i: still running after ${bound}s; the test it was in:"
    grep -E '^\[ RUN      \]' "$log" | tail -1
  else
    echo "shard $i: FAILED (exit $status)"
  fi
  echo "--- shard $i: the failed tests"
  awk '/^\[ RUN      \]/ { block = "" } { block = block $0 "\n" }
       /^\[  FAILED  \] .*\(/ { printf "%s", block }' "$log"
  echo "--- shard $i: the end of its log ($log)"
  tail -n 60 "$log"
done
exit "$failed"
