#!/usr/bin/env bash
# The whole test suite, including the PostgreSQL-backed and the browser tests: starts a private
# PostgreSQL (installing it if needed), installs Debian's Chromium when it is missing, runs every
# test project, and stops the database again.
set -euo pipefail
cd "$(dirname "$0")/.."

# The portal's browser tests drive Debian's Chromium through Playwright (whose own browser
# download cannot work here).
if [ ! -x /usr/bin/chromium ]; then
  echo "Chromium not found; installing Debian's chromium package with apt-get" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >&2
fi

data=$(mktemp -d "${TMPDIR:-/tmp}/ciopulse-test-pg.XXXXXX")
port=${CIOPULSE_TEST_PG_PORT:-55433}
cleanup() { scripts/postgres.sh stop "$data"; rm -rf "$data"; }
trap cleanup EXIT

CIOPULSE_TEST_POSTGRES=$(scripts/postgres.sh start "$data" "$port")
export CIOPULSE_TEST_POSTGRES

dotnet test CIOPulse.sln --configuration Release --logger "console;verbosity=normal" "$@"
