#!/usr/bin/env bash
# The integration suites again, each server on PostgreSQL (--store postgres://) instead of
# SQLite: the same tests, the same expectations (issue "Scale-out": the integration suite
# against both stores). Each shard process starts one PostgreSQL (tests/support/
# server_fixture.hpp), a new database per test. Tests of what only SQLite has (its file, the
# command-line tools on it) skip themselves there, saying why.
#   tests/run_on_postgres.sh BUILD_DIR [SHARDS] [gtest flags...]
set -euo pipefail
build=$1 shards=${2:-2}
shift $(($# >= 2 ? 2 : 1))
here=$(dirname "$0")
# Every suite whose fixture is server_test (tests/integration_*_test.cpp), found by its
# declaration, so a new suite runs here without being listed.
suites=$(grep -hoE '^(using ([a-z_]+) = server_test|class ([a-z_]+) : public (server_test|files_test))' \
           "$here"/integration_*_test.cpp | sed -E 's/^using ([a-z_]+) .*/\1/; s/^class ([a-z_]+) .*/\1/' |
         sort -u | sed 's/$/.*/' | paste -sd: -)
CHATTERBOX_TEST_STORE=postgres bash "$here/run_sharded.sh" "$build/chatterbox_tests" "$shards" 1200 \
  --gtest_filter="$suites" "$@"
