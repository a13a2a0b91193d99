#!/usr/bin/env bash
# Smoke test for the load generator (CI): every scenario with --quick against a freshly started
# server on a small seeded database. Checks that the tool works, never how fast anything is.
# Usage: bench/smoke.sh <build-dir>     (needs chatterbox and chatterbox-bench built there)
set -euo pipefail

build=${1:?usage: bench/smoke.sh <build-dir>}
server=$(cd "$build" && pwd)/chatterbox
bench=$(cd "$build" && pwd)/chatterbox-bench
[[ -x $server && -x $bench ]] || { echo "smoke: build chatterbox and chatterbox-bench in $build" >&2; exit 2; }

work=$(mktemp -d /tmp/chatterbox-smoke.XXXXXX)
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Abuse limits lifted: the bench logs in several accounts from one address and sends fast.
server_args=(--port 0 --db "$work/smoke.db" --argon2-ops 1 --argon2-mem-kib 8
  --message-rate 1000000 --message-burst 1000000 --login-failures-per-address 1000000
  --max-pending-logins-per-address 1000000 --query-rate 1000000 --query-burst 1000000
  --inbound-frame-rate 100000000 --inbound-byte-rate 4000000000
  --max-connections 100000 --max-connections-per-user 100000)

step() {
  local name=$1; shift
  if ! timeout 30 "$@" > "$work/$name.out" 2>&1; then
    echo "smoke: $name FAILED" >&2
    cat "$work/$name.out" >&2
    exit 1
  fi
  echo "smoke: $name ok: $(tail -n 1 "$work/$name.out" | cut -c1-160)"
}

step seed "$bench" seed --quick --db "$work/smoke.db"

"$server" "${server_args[@]}" > "$work/server.log" 2>&1 &
server_pid=$!
port=
for _ in $(seq 100); do
  port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/server.log" | grep -o '[0-9]*$' || true)
  [[ -n $port ]] && break
  sleep 0.1
done
[[ -n $port ]] || { echo "smoke: server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
url=http://127.0.0.1:$port

# rooms and hello after resume: their private rooms and posts are changes the resume user does
# not see (resume expects every one of the last --missed seqs to be a message it is sent).
for scenario in fanout store idle join resume search rooms hello; do
  step "$scenario" "$bench" "$scenario" --quick --url "$url" --server-pid "$server_pid"
done

kill "$server_pid"; wait "$server_pid" || true; server_pid=
step startup "$bench" startup --quick --iterations 2 -- "$server" "${server_args[@]}"
# storm starts (and restarts) its own server, on a database of its own.
storm_args=("${server_args[@]}")
storm_args[3]=$work/storm.db
step storm "$bench" storm --quick -- "$server" "${storm_args[@]}"
step storm_restart "$bench" storm --quick --restart -- "$server" "${storm_args[@]}"
echo "smoke: all scenarios passed"
