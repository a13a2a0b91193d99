#!/usr/bin/env bash
# Installs what the reliability tools need beyond scripts/setup.sh, from Debian 12's packages:
# Python 3 with python3-websockets (the test clients) and procps. Safe to run again.
set -euo pipefail
exec bash "$(dirname "$0")/../../scripts/setup.sh" --only python3 python3-websockets procps
