#!/usr/bin/env bash
# `npm run test:sql`: every migration and every query the services send to ClickHouse, run
# on chDB (ClickHouse 26.x embedded in Python, no server) besides the local stack's 18.16.
# Needs the build (services/*/dist). chDB is installed once into a venv under .cache/ and
# reused offline afterwards; pip's wheel cache makes a reinstall offline too.
#   bash scripts/sql-check/run.sh           chDB only (no stack needed)
#   bash scripts/sql-check/run.sh --stack   also on the local stack's 18.16, answers compared
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
# shellcheck source=../lib/pip-venv.sh
source scripts/lib/pip-venv.sh

version=4.4.0
venv="$root/.cache/chdb-$version"
out="$root/out/sql-check"
log() { printf '[sql-check] %s\n' "$*" >&2; }

pip_venv "$venv" "chdb==$version" 'import chdb'
[ -f services/reads/dist/src/queries.js ] || { log "no build found: run npm run build first"; exit 1; }

mkdir -p "$out"
node "$here/catalogue.mjs" "$out/catalogue.json"
compare=()
if [ "${1:-}" = "--stack" ]; then
  node "$here/stack-answers.mjs" "$out/stack-answers.json"
  compare=("--compare=$out/stack-answers.json")
fi
"$venv/bin/python" "$here/check.py" "$out/catalogue.json" "${compare[@]}"
