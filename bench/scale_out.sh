#!/usr/bin/env bash
# Scale-out (issue 13; docs/scale-out.md): what the bus costs per delivery, what PostgreSQL's
# group commit stores, and how long a killed node's clients take to be live again. Starts its
# own PostgreSQL 15 (as `nobody`, fsync on) and Redis on free ports, and for each case fresh
# nodes. Every node runs on CPU 0 (so with 2 or 3 nodes one core does the work of all of them:
# deliveries/s then shows the cost of a delivery, not more total speed); the load generator,
# PostgreSQL and Redis on CPU 1. Prints medians (min-max); writes nothing to docs/ (the numbers
# in docs/benchmarks.md were copied from its output by hand). Run as root (initdb as nobody).
#
#   bench/scale_out.sh [--build-dir build] [--reps 3] [--fanout 1000] [--duration 5]
#                      [--failover-runs 5]
#   KEEP_WORK=1 keeps the work directory (the load generator's full reports, node logs).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
reps=3
fanout_n=1000
duration=5
failover_runs=5
while [[ $# -gt 0 ]]; do
  case $1 in
    --build-dir) build=$2; shift ;;
    --reps) reps=$2; shift ;;
    --fanout) fanout_n=$2; shift ;;
    --duration) duration=$2; shift ;;
    --failover-runs) failover_runs=$2; shift ;;
    *) echo "usage: bench/scale_out.sh [--build-dir D] [--reps N] [--fanout N] [--duration S] [--failover-runs N]" >&2
       exit 2 ;;
  esac
  shift
done
server_bin=$build/chatterbox
bench_bin=$build/chatterbox-bench
tests_bin=$build/chatterbox_tests
limits=(--message-rate 1000000 --message-burst 1000000 --login-failures-per-address 1000000
  --max-pending-logins-per-address 1000000 --query-rate 1000000 --query-burst 1000000
  --inbound-frame-rate 100000000 --inbound-byte-rate 4000000000
  --max-connections 100000 --max-connections-per-user 100000)
pg_bin=/usr/lib/postgresql/15/bin
as_nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true

work=$(mktemp -d /tmp/chatterbox-scale-out.XXXXXX)
chown nobody:nogroup "$work"
node_pids=()
pg_pid=
redis_pid=
stop_nodes() {
  for pid in "${node_pids[@]}"; do kill "$pid" 2> /dev/null || true; wait "$pid" 2> /dev/null || true; done
  node_pids=()
}
cleanup() {
  stop_nodes
  [[ -n $redis_pid ]] && { kill "$redis_pid" 2> /dev/null || true; wait "$redis_pid" 2> /dev/null || true; }
  [[ -n $pg_pid ]] && { kill "$pg_pid" 2> /dev/null || true; wait "$pg_pid" 2> /dev/null || true; }
  if [[ -n ${KEEP_WORK:-} ]]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- PostgreSQL and Redis on CPU 1 -----------------------------------------------------------
pg_port=$(free_port)
(cd / && "${as_nobody[@]}" "$pg_bin/initdb" -D "$work/pg" -A trust -U postgres -E UTF8 --locale=C \
  --no-instructions > "$work/initdb.log" 2>&1)
taskset -c 1 "${as_nobody[@]}" "$pg_bin/postgres" -D "$work/pg" -p "$pg_port" -k "$work/pg" \
  -c listen_addresses=127.0.0.1 -c max_connections=200 > "$work/pg.log" 2>&1 &
pg_pid=$!
redis_port=$(free_port)
taskset -c 1 redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
  --dir "$work" > "$work/redis.log" 2>&1 &
redis_pid=$!
for _ in $(seq 200); do
  grep -q "ready to accept connections" "$work/pg.log" && grep -q "Ready to accept" "$work/redis.log" && break
  sleep 0.05
done
databases=0
new_database() {  # sets url to a new, empty database
  databases=$((databases + 1))
  "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres "bench$databases"
  url="postgresql://postgres@127.0.0.1:$pg_port/bench$databases"
}

# start_nodes N STORE_FLAGS...: N nodes on CPU 0; sets node_pids and ports.
ports=()
start_nodes() {
  local n=$1; shift
  ports=()
  for i in $(seq "$n"); do
    taskset -c 0 "$server_bin" --port 0 --argon2-ops 1 --argon2-mem-kib 8 "${limits[@]}" \
      --files-dir "$work/files" "$@" \
      > "$work/node$i.log" 2>&1 &
    node_pids+=($!)
    local port=
    for _ in $(seq 400); do
      port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/node$i.log" | grep -o '[0-9]*$' || true)
      [[ -n $port ]] && break
      sleep 0.05
    done
    [[ -n $port ]] || { echo "node $i did not start:" >&2; cat "$work/node$i.log" >&2; exit 1; }
    ports+=("$port")
  done
}

nodes_cpu() {  # CPU seconds used so far by the running nodes
  local ticks=0
  for pid in "${node_pids[@]}"; do
    read -r -a stat < "/proc/$pid/stat"
    ticks=$((ticks + stat[13] + stat[14]))
  done
  echo "scale=3; $ticks / $(getconf CLK_TCK)" | bc
}

# bench_case NAME SCENARIO_ARGS...: one run against the running nodes; appends a JSON line.
bench_case() {
  local name=$1; shift
  local more=()
  if [[ ${#ports[@]} -gt 1 ]]; then more=(--more-ports "$(IFS=,; echo "${ports[*]:1}")"); fi
  local before after
  before=$(nodes_cpu)
  taskset -c 1 "$bench_bin" "$@" --url "http://127.0.0.1:${ports[0]}" "${more[@]}" \
    --json "$work/$name.json" > "$work/$name.out" 2>&1 || log "$name: the load generator reported a failure"
  after=$(nodes_cpu)
  jq -c --arg name "$name" --argjson cpu "$(echo "$after - $before" | bc)" \
    '{name: $name, deliveries_per_s, acked_per_s, latency_p99_ms, delivered_total, acked_total,
      missing_deliveries, node_cpu_s: $cpu}' "$work/$name.json" >> "$work/results.jsonl"
}

fanout_args=(fanout --connections "$fanout_n" --senders 10 --window 16 --warmup 2 --duration "$duration")
store_args=(store --senders 8 --connections 8 --window 128 --warmup 2 --duration "$duration")
: > "$work/results.jsonl"
for r in $(seq "$reps"); do
  log "round $r of $reps"
  start_nodes 1 --db "$work/fanout-$r.db"
  bench_case "fanout sqlite, 1 node.r$r" "${fanout_args[@]}"
  stop_nodes
  for n in 1 2 3; do
    new_database
    start_nodes "$n" --store "$url" --bus "redis://127.0.0.1:$redis_port"
    bench_case "fanout postgres+redis, $n node(s).r$r" "${fanout_args[@]}"
    stop_nodes
  done
  start_nodes 1 --db "$work/store-$r.db"
  bench_case "store sqlite (synchronous=NORMAL), 1 node.r$r" "${store_args[@]}"
  stop_nodes
  new_database
  start_nodes 1 --store "$url"
  bench_case "store postgres (synchronous_commit=on), 1 node.r$r" "${store_args[@]}"
  stop_nodes
done

# --- failover: the three-node test measures it (kill -> first live message elsewhere) ----------
log "failover ($failover_runs runs of the three-node test)"
: > "$work/failover.txt"
for _ in $(seq "$failover_runs"); do
  CHATTERBOX_CONFIG=/dev/null "$tests_bin" --gtest_filter='server_cluster_test.*' 2>&1 |
    grep -o 'failover: [0-9.]*' | grep -o '[0-9.]*$' >> "$work/failover.txt" || true
done

# --- summary ----------------------------------------------------------------------------------
python3 - "$work/results.jsonl" "$work/failover.txt" << 'EOF'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    rows.setdefault(r["name"].rsplit(".r", 1)[0], []).append(r)
def mm(values, fmt):
    return f"{fmt(statistics.median(values))} ({fmt(min(values))}–{fmt(max(values))})"
print("| case | deliveries/s | acked/s | p99 ms | node CPU µs per delivery | missing |")
print("|---|---|---|---|---|---|")
for name, runs in rows.items():
    per_delivery = [r["node_cpu_s"] * 1e6 / max(r["delivered_total"], 1) for r in runs]
    print(f"| {name} | {mm([r['deliveries_per_s'] for r in runs], lambda v: f'{v:,.0f}')} | "
          f"{mm([r['acked_per_s'] for r in runs], lambda v: f'{v:,.0f}')} | "
          f"{mm([r['latency_p99_ms'] for r in runs], lambda v: f'{v:.1f}')} | "
          f"{mm(per_delivery, lambda v: f'{v:.2f}')} | "
          f"{sum(r['missing_deliveries'] for r in runs):.0f} |")
failovers = [float(v) for v in open(sys.argv[2]).read().split()]
if failovers:
    print(f"\nfailover (kill -> live again elsewhere), {len(failovers)} runs: "
          f"{mm(failovers, lambda v: f'{v:.0f} ms')}")
EOF
