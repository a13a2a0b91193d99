#!/usr/bin/env bash
# Plain vs TLS on the same binary (issue 12): the fanout and idle scenarios, alternating plain and
# TLS runs so that drift on a shared machine hits both alike. A fresh server per run (plain, or
# with a self-signed certificate made here). Prints medians (min-max) per variant; writes nothing
# to docs/ (the numbers in docs/benchmarks.md were copied from its output by hand).
#
#   bench/tls_ab.sh [--build-dir build] [--reps 3] [--fanout 1000] [--idle 2000] [--duration 5]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
reps=3
fanout_n=1000
idle_n=2000
duration=5
while [[ $# -gt 0 ]]; do
  case $1 in
    --build-dir) build=$2; shift ;;
    --reps) reps=$2; shift ;;
    --fanout) fanout_n=$2; shift ;;
    --idle) idle_n=$2; shift ;;
    --duration) duration=$2; shift ;;
    *) echo "usage: bench/tls_ab.sh [--build-dir D] [--reps N] [--fanout N] [--idle N] [--duration S]" >&2
       exit 2 ;;
  esac
  shift
done
server_bin=$build/chatterbox
bench_bin=$build/chatterbox-bench
limits=(--message-rate 1000000 --message-burst 1000000 --login-failures-per-address 1000000
  --max-pending-logins-per-address 1000000 --query-rate 1000000 --query-burst 1000000
  --inbound-frame-rate 100000000 --inbound-byte-rate 4000000000
  --max-connections 100000 --max-connections-per-user 100000)
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true

work=$(mktemp -d /tmp/chatterbox-tls-ab.XXXXXX)
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2> /dev/null || true; wait "$server_pid" 2> /dev/null || true; fi
}
trap cleanup EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj /CN=bench -addext subjectAltName=IP:127.0.0.1 -keyout "$work/key.pem" \
  -out "$work/cert.pem" 2> /dev/null

# start VARIANT [flags...]: a fresh server on CPU 0; sets server_pid and url.
start() {
  local variant=$1; shift
  rm -f "$work/db" "$work/db-wal" "$work/db-shm"
  local tls=() scheme=http
  if [[ $variant == tls ]]; then
    tls=(--tls-cert "$work/cert.pem" --tls-key "$work/key.pem")
    scheme=https
  fi
  taskset -c 0 "$server_bin" --port 0 --db "$work/db" --argon2-ops 1 --argon2-mem-kib 8 \
    "${limits[@]}" "${tls[@]}" "$@" > "$work/server.log" 2>&1 &
  server_pid=$!
  local port=
  for _ in $(seq 200); do
    port=$(grep -o "listening on $scheme://127.0.0.1:[0-9]*" "$work/server.log" | grep -o '[0-9]*$' || true)
    [[ -n $port ]] && break
    sleep 0.05
  done
  [[ -n $port ]] || { cat "$work/server.log" >&2; exit 1; }
  url=$scheme://127.0.0.1:$port
}
stop() { kill "$server_pid"; wait "$server_pid" || true; server_pid=; }

run() {  # run NAME VARIANT TAG SERVER_FLAGS -- BENCH_ARGS
  local name=$1 variant=$2 tag=$3; shift 3
  local flags=()
  while [[ $1 != -- ]]; do flags+=("$1"); shift; done
  shift
  start "$variant" "${flags[@]}"
  taskset -c 1 "$bench_bin" "$@" --url "$url" --server-pid "$server_pid" \
    --json "$work/$name.$variant.$tag.json" > "$work/$name.$variant.$tag.out" 2>&1 ||
    echo "$name $variant $tag failed: see $work/$name.$variant.$tag.out" >&2
  stop
}

for r in $(seq "$reps"); do
  for variant in plain tls; do
    echo "[$(date +%H:%M:%S)] fanout_$fanout_n $variant r$r" >&2
    run "fanout_$fanout_n" "$variant" "r$r" -- fanout --connections "$fanout_n" --senders 10 \
      --window 16 --warmup 2 --duration "$duration"
    echo "[$(date +%H:%M:%S)] idle_$idle_n $variant r$r" >&2
    run "idle_$idle_n" "$variant" "r$r" --idle-timeout 10 -- idle --connections "$idle_n" \
      --receiver-users 10 --hold 10 --ping-idle 0 --connect-parallel 256
  done
done

summary() {  # summary NAME VARIANT FIELD...
  local name=$1 variant=$2; shift 2
  for field in "$@"; do
    jq -s --arg f "$field" '[.[][$f]] | sort | "\(.[length/2|floor]) (\(.[0])-\(.[-1]))"' \
      "$work/$name.$variant".r*.json | tr -d '"' | sed "s/^/$name $variant $field: /"
  done
}
for variant in plain tls; do
  summary "fanout_$fanout_n" "$variant" deliveries_per_s acked_per_s latency_p50_ms latency_p99_ms \
    server_cpu_percent
  summary "idle_$idle_n" "$variant" connected server_bytes_per_connection setup_s connect_p50_ms
done
echo "raw results: $work" >&2
