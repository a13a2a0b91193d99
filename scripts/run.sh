#!/usr/bin/env bash
# Quick start, part 1: install what is missing, build, and run the server on
# http://localhost:8080 with its SQLite database in ./chatterbox.db. Extra arguments go to the
# server (see `build/chatterbox --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh release chatterbox
exec ./build/chatterbox "$@"
