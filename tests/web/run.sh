#!/usr/bin/env bash
# Unit tests of the web client's pure logic (node --test, no browser). Date labels depend on the
# local time zone, so the suite runs in several, one of them with daylight saving (Europe/Berlin,
# where the DST cases run) and one far from UTC.
set -euo pipefail
cd "$(dirname "$0")/../.."
for tz in Europe/Berlin America/New_York Asia/Tokyo UTC; do
  echo "== TZ=$tz"
  TZ=$tz node --test --test-reporter=dot tests/web/*.test.mjs
done
