#!/usr/bin/env bash
# The whole test suite, including the PostgreSQL-backed tests: starts a private PostgreSQL
# (installing it if needed), runs every test project, and stops it again.
set -euo pipefail
cd "$(dirname "$0")/.."

data=$(mktemp -d "${TMPDIR:-/tmp}/ciopulse-test-pg.XXXXXX")
port=${CIOPULSE_TEST_PG_PORT:-55433}
cleanup() { scripts/postgres.sh stop "$data"; rm -rf "$data"; }
trap cleanup EXIT

CIOPULSE_TEST_POSTGRES=$(scripts/postgres.sh start "$data" "$port")
export CIOPULSE_TEST_POSTGRES

dotnet test CIOPulse.sln --configuration Release --logger "console;verbosity=normal" "$@"
