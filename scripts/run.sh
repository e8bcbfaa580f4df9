#!/usr/bin/env bash
# Runs the service: one silo with the HTTP API and the portal on http://localhost:5080 (override
# with --urls=...; the portal is at /portal).
# Embedded (in-memory, NOT durable) unless ConnectionStrings__Postgres is set.
# The system API key is generated once into .local/system-key (mode 600) unless Api__SystemKey is
# already set; read it with: export KEY=$(cat .local/system-key)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${Api__SystemKey:-}" ]; then
  mkdir -p .local
  if [ ! -s .local/system-key ]; then
    (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' > .local/system-key)
  fi
  Api__SystemKey=$(cat .local/system-key)
  export Api__SystemKey
  echo "System API key: in $(pwd)/.local/system-key (export KEY=\$(cat .local/system-key))" >&2
fi

url=http://localhost:5080
for arg in "$@"; do
  case "$arg" in --urls=*) url=${arg#--urls=}; url=${url%%;*} ;; esac
done
echo "Portal: ${url%/}/portal (sign in with an account key, or with the system key and an account id)" >&2

exec dotnet run --project src/Silo --configuration Release -- "$@"
