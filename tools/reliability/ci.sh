#!/usr/bin/env bash
# The CI-sized reliability checks (issue "Hardening"): each libFuzzer harness for 60 s (all at
# once), the crash-durability test with 3 kills, a 60 s soak of the ASan build and a short chaos
# run (database locked 5 s, database full, 2 kills; about 20 s). Every step runs even when an
# earlier one failed; the script exits non-zero if any did.
# Uses build/chatterbox and build-asan/chatterbox (scripts/test.sh builds both before this) and
# builds whichever is missing. The longer runs and docs/reliability.md: tools/reliability/report.sh.
set -uo pipefail
cd "$(dirname "$0")/../.."
bash tools/reliability/deps.sh || exit 1
[ -x build/chatterbox ] || bash scripts/build.sh release || exit 1
[ -x build-asan/chatterbox ] || bash scripts/build.sh asan || exit 1

failed=()
step() {
  local name=$1; shift
  local started=$SECONDS
  printf '\n=== reliability: %s\n' "$name"
  if "$@"; then
    echo "=== $name passed in $((SECONDS - started))s"
  else
    echo "=== $name FAILED after $((SECONDS - started))s"
    failed+=("$name")
  fi
}

python=/usr/bin/python3  # Debian's, where python3-websockets is installed
step "fuzz (60 s each)" env FUZZ_PARALLEL=1 bash fuzz/run.sh 60
step "crash durability (3 kills)" \
  "$python" tools/reliability/crash_test.py --kills 3 --binary build/chatterbox
# The full run's disruptions (the lock still 5 s) with 2 s of everything else: about 20 s.
step "chaos (lock, full, 2 kills)" \
  "$python" tools/reliability/chaos_test.py --warmup 2 --full-seconds 2 --kills 2 --max-gap 2 \
  --cooldown 2 --binary build/chatterbox
# Shorter sessions than the default so a one-minute run still sees plenty of reconnects; a
# looser RSS bound because one minute is mostly warm-up.
step "soak (60 s, ASan)" \
  "$python" tools/reliability/soak.py --duration 60 --session-seconds 15 --rss-tolerance 0.25 \
  --binary build-asan/chatterbox

if [ ${#failed[@]} -gt 0 ]; then
  echo "reliability: FAILED: ${failed[*]} (${SECONDS}s)" >&2
  exit 1
fi
echo "reliability: all passed in ${SECONDS}s"
