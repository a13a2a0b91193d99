#!/usr/bin/env bash
# Where does the server's time go under fan-out load? Runs `fanout` (1,000 receivers, closed
# loop) against a pinned Release server and, while it runs, counts the server's system calls
# with perf tracepoints and samples it with perf (cpu-clock; this VM has no hardware counters),
# then repeats a short, smaller run under valgrind --tool=callgrind. Raw output goes to a temp
# directory; docs/profile.md is written by hand from it.
#
#   bench/profile.sh [--build-dir DIR] [--connections N]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-bench
connections=1000
while [[ $# -gt 0 ]]; do
  case $1 in
    --build-dir) build=$2; shift ;;
    --connections) connections=$2; shift ;;
    *) echo "usage: bench/profile.sh [--build-dir DIR] [--connections N]" >&2; exit 2 ;;
  esac
  shift
done
server_bin=$build/chatterbox
bench_bin=$build/chatterbox-bench
[[ -x $server_bin && -x $bench_bin ]] || { echo "build first: bench/run.sh --quick" >&2; exit 2; }
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true

limits=(--message-rate 1000000 --message-burst 1000000 --login-attempts-per-minute 1000000
  --max-connections 100000 --max-connections-per-user 100000)
work=$(mktemp -d /tmp/chatterbox-profile.XXXXXX)
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2> /dev/null || true; wait "$server_pid" 2> /dev/null || true; fi
}
trap cleanup EXIT

start_server() {  # start_server LOG CMD...
  local log=$1; shift
  "$@" > "$log" 2>&1 &
  server_pid=$!
  url=
  for _ in $(seq 600); do
    local port
    port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$log" | grep -o '[0-9]*$' || true)
    if [[ -n $port ]]; then url=http://127.0.0.1:$port; return; fi
    sleep 0.1
  done
  echo "server did not start" >&2; cat "$log" >&2; exit 1
}

# 1. perf: syscall counts and a CPU profile during the measured window.
start_server "$work/server.log" taskset -c 0 "$server_bin" --port 0 --db "$work/p.db" \
  --argon2-ops 1 --argon2-mem-kib 8 "${limits[@]}"
events=syscalls:sys_enter_sendmsg,syscalls:sys_enter_sendto,syscalls:sys_enter_writev
events+=,syscalls:sys_enter_write,syscalls:sys_enter_recvmsg,syscalls:sys_enter_recvfrom
events+=,syscalls:sys_enter_read,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_ctl
events+=,syscalls:sys_enter_pwrite64,syscalls:sys_enter_fdatasync,syscalls:sys_enter_fsync
# Syscalls are counted over the whole bench run, so they compare with its totals
# (delivered_total + acked_total events); the CPU profile covers only the measured window.
perf stat -e "$events" -p "$server_pid" -o "$work/syscalls.txt" &
perf_stat_pid=$!
sleep 0.5
(sleep 7 && perf record -e cpu-clock -F 2000 -g -p "$server_pid" -o "$work/perf.data" -- sleep 4 \
  2> /dev/null) &
perf_record_pid=$!
taskset -c 1 "$bench_bin" fanout --connections "$connections" --senders 10 --window 16 \
  --warmup 3 --duration 12 --url "$url" --server-pid "$server_pid" --json "$work/fanout.json" \
  > "$work/fanout.out" 2>&1 || true
wait "$perf_record_pid" || true
kill -INT "$perf_stat_pid"
wait "$perf_stat_pid" || true
kill "$server_pid"; wait "$server_pid" || true; server_pid=
# (head closes the pipe early: no pipefail for the reports)
set +o pipefail
perf report -i "$work/perf.data" --no-children --stdio --sort symbol -g none 2> /dev/null \
  | grep -E '^ +[0-9]' | sed 's/  */ /g' | head -40 > "$work/perf-self.txt"
perf report -i "$work/perf.data" --no-children --stdio --sort dso -g none 2> /dev/null \
  | grep -E '^ +[0-9]' | sed 's/  */ /g' | head -10 > "$work/perf-dso.txt"
perf report -i "$work/perf.data" --children --stdio --sort symbol -g none 2> /dev/null \
  | grep -E '^ +[0-9]' | sed 's/  */ /g' | head -40 > "$work/perf-children.txt"
set -o pipefail

# 2. store, durable: one fdatasync per commit, so acks / fdatasync = messages per group commit.
start_server "$work/store.log" taskset -c 0 "$server_bin" --port 0 --db "$work/s.db" \
  --argon2-ops 1 --argon2-mem-kib 8 "${limits[@]}" --synchronous full
perf stat -e "$events" -p "$server_pid" -o "$work/store-syscalls.txt" &
perf_stat_pid=$!
sleep 0.5
taskset -c 1 "$bench_bin" store --senders 8 --connections 8 --window 128 --warmup 1 --duration 6 \
  --url "$url" --server-pid "$server_pid" --json "$work/store.json" > "$work/store.out" 2>&1 || true
kill -INT "$perf_stat_pid"
wait "$perf_stat_pid" || true
kill "$server_pid"; wait "$server_pid" || true; server_pid=

# 3. callgrind: a short, smaller run (the server runs ~50x slower under valgrind).
start_server "$work/callgrind.log" taskset -c 0 valgrind --tool=callgrind \
  --callgrind-out-file="$work/callgrind.out" "$server_bin" --port 0 --db "$work/c.db" \
  --argon2-ops 1 --argon2-mem-kib 8 "${limits[@]}"
taskset -c 1 "$bench_bin" fanout --connections 200 --senders 4 --window 8 --warmup 2 \
  --duration 8 --timeout 60 --url "$url" > "$work/callgrind-fanout.out" 2>&1 || true
kill "$server_pid"; wait "$server_pid" || true; server_pid=
set +o pipefail
callgrind_annotate --inclusive=no "$work/callgrind.out" 2> /dev/null | head -60 > "$work/callgrind-self.txt"
callgrind_annotate --inclusive=yes "$work/callgrind.out" 2> /dev/null | head -60 > "$work/callgrind-inclusive.txt"
set -o pipefail

echo "== fanout during perf ==";  grep -E 'deliveries_per_s|frames_per_s|events_per_frame|server_cpu|client_cpu|latency_p99' "$work/fanout.out"
echo "== syscalls over the whole bench run ==";  grep -E 'syscalls:|seconds time' "$work/syscalls.txt"
sends=$(awk '/sys_enter_sendmsg/ {gsub(",", "", $1); print $1}' "$work/syscalls.txt")
events_out=$(jq '.delivered_total + .acked_total' "$work/fanout.json")
echo "events (message + ack) per sendmsg: $(echo "scale=2; $events_out / $sends" | bc)"
echo "== store (synchronous=full) =="
grep -E 'acked_per_s|ack_p50|server_cpu' "$work/store.out" | grep -v '^{'
syncs=$(awk '/sys_enter_fdatasync/ {gsub(",", "", $1); print $1}' "$work/store-syscalls.txt")
echo "fdatasync: $syncs; acks per fdatasync (messages per commit): $(echo "scale=1; $(jq .acked_total "$work/store.json") / $syncs" | bc)"
echo "== perf: self time by DSO =="; cat "$work/perf-dso.txt"
echo "== perf: self time by symbol =="; cut -c1-160 "$work/perf-self.txt"
echo "== perf: with children =="; cut -c1-160 "$work/perf-children.txt"
echo "== callgrind: self =="; cut -c1-200 "$work/callgrind-self.txt"
echo "== callgrind fanout =="; grep -E 'deliveries_per_s|events_per_frame' "$work/callgrind-fanout.out"
echo "raw results in $work"
