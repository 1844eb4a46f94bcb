#!/usr/bin/env bash
# The schemathesis campaign of `npm run test:security`: every operation of the gateway's
# /openapi.json, with valid credentials from hooks.py, a fixed seed and bounded examples.
# Fails on any 5xx, any response outside its documented schema, status or content type.
# Needs the local stack (infra/stack.sh up) and the build (npm run build).
#   bash security/schemathesis/run.sh [schemathesis run options]   (SECURITY_MAX_EXAMPLES, SECURITY_SEED to vary)
# baseline.json lists failures accepted until their fix lands (see docs/security.md);
# `--baseline-prune` drops the entries a run no longer reproduces.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
# shellcheck source=../../scripts/lib/pip-venv.sh
source scripts/lib/pip-venv.sh

version=4.32.5
venv="$root/.cache/schemathesis-$version"
max_examples="${SECURITY_MAX_EXAMPLES:-25}"
seed="${SECURITY_SEED:-20261203}"
report="$root/out/security"
log() { printf '[security] %s\n' "$*" >&2; }

pip_venv "$venv" "schemathesis==$version" 'import schemathesis'

mkdir -p "$report"
target_out="$report/target.$$.json"
rm -f "$target_out"
node services/gateway/dist/test/security/target.js "$target_out" >"$report/target.log" 2>&1 &
target=$!
trap 'kill "$target" 2>/dev/null; wait "$target" 2>/dev/null || true; rm -f "$target_out"' EXIT
# The target writes its URLs to the file once the seeded data is in place.
ready() { [ -s "$target_out" ]; }
for _ in $(seq 1 360); do
  ready && break
  kill -0 "$target" 2>/dev/null || { log "the target exited:"; cat "$report/target.log" >&2; exit 1; }
  sleep 0.5
done
ready || { log "the target did not start within 180 s"; exit 1; }
gateway=$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).gateway' "$target_out")
signer=$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).signer' "$target_out")
log "gateway $gateway, signer $signer; $max_examples examples per operation, seed $seed"

t0=$SECONDS
# The outer timeout bounds a run that hangs; a bounded campaign takes a few minutes.
IES_SECURITY_SIGNER="$signer" IES_SECURITY_REPORT_DIR="$report" PYTHONPATH="$here" SCHEMATHESIS_HOOKS=hooks \
  timeout 1200 "$venv/bin/schemathesis" --config-file "$here/schemathesis.toml" run "$gateway/openapi.json" \
  --max-examples "$max_examples" --seed "$seed" \
  --baseline "$here/baseline.json" \
  --report junit --report-junit-path "$report/junit.xml" "$@"
log "campaign passed in $((SECONDS - t0)) s"
