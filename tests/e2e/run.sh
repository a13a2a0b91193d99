#!/usr/bin/env bash
# End-to-end tests of the web client against a real chatterbox binary, in Debian's Chromium
# (/usr/bin/chromium, or $CHROMIUM) driven by playwright-core. No browser is downloaded.
#   tests/e2e/run.sh <path-to-chatterbox>
# CHATTERBOX_E2E_WEB_DIR=/path/to/web serves the client from disk instead of the binary.
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 <path-to-chatterbox-binary>" >&2
  exit 2
fi
binary=$(realpath "$1")
[ -x "$binary" ] || { echo "not an executable: $binary" >&2; exit 2; }
cd "$(dirname "$0")"
# (Re)install when node_modules is missing or holds another version than the lockfile's.
want=$(node -p "require('./package-lock.json').packages['node_modules/playwright-core'].version")
have=$(node -p "try { require('./node_modules/playwright-core/package.json').version } catch { '' }")
if [ "$want" != "$have" ]; then
  npm ci --no-audit --no-fund
fi
rm -rf artifacts
CHATTERBOX_BINARY="$binary" exec node --test e2e.test.mjs
