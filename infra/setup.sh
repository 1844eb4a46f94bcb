#!/usr/bin/env bash
# One-time (and idempotent) set-up of a plain Debian machine for ies-backbone:
# Debian packages (ClickHouse, Redis, a Java 17 JDK, Maven, Python venv, Chromium), npm dependencies, Kafka and the schema
# registry from Maven Central into .cache/, and the TypeScript build. Each step is skipped
# when it is already done, so `npm run demo` and `npm test` call this every time.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$IES_ROOT"

t_all=$SECONDS
step() { printf '[setup] %s\n' "$*" >&2; }

node_major=$(node -p 'process.versions.node.split(".").map(Number).join(".")')
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || die "Node.js >= 20.19 is required (found $node_major)"

# --- Debian packages -------------------------------------------------------------------
missing=()
command -v clickhouse-server >/dev/null || missing+=(clickhouse-server clickhouse-client)
command -v redis-server >/dev/null || missing+=(redis-server)
# A JDK, not only a runtime: the Java head-end client's integration test compiles it (clients/java-headend).
{ [ -x /usr/lib/jvm/java-17-openjdk-amd64/bin/javac ] || command -v javac >/dev/null; } || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || missing+=(maven)
# The console's browser tests drive Debian's Chromium through playwright-core (no browser download).
command -v chromium >/dev/null || missing+=(chromium)
# npm run test:security: schemathesis (PyPI) in a venv under .cache/
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3 python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  step "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  [ -z "$SUDO" ] || command -v sudo >/dev/null || die "not root and no sudo: install ${missing[*]} with apt-get, then run again"
  # The packages' init scripts would start system-wide servers; the stack runs its own
  # under .stack/, so forbid service starts during the install (policy-rc.d exit 101).
  policy=/usr/sbin/policy-rc.d
  if [ ! -e $policy ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee $policy >/dev/null; $SUDO chmod +x $policy
    # Removed however the install ends, so service starts are not blocked system-wide after.
    trap '$SUDO rm -f '"$policy" EXIT
  fi
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Go (not a Debian package here: Debian's is too old) ---------------------------------
# The independent tiled-log client (tools/tlog-client) needs Go >= 1.26: the integration tests
# build and run it (the demo skips it without Go). Its modules come from the Go module proxy.
go_version=$(go env GOVERSION 2>/dev/null || true)
if ! printf '%s\n' "$go_version" | grep -Eq '^go1\.(2[6-9]|[3-9][0-9])'; then
  step "warning: Go >= 1.26 not found (${go_version:-no go on PATH}): npm test's tiled-log test needs it (https://go.dev/doc/install)"
fi

# --- npm dependencies ------------------------------------------------------------------
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# --- Kafka and the schema registry from Maven Central ----------------------------------
t=$SECONDS; bash infra/kafka/fetch.sh; [ $((SECONDS - t)) -lt 2 ] || step "Kafka $KAFKA_VERSION jars ready in $((SECONDS - t))s"
t=$SECONDS; bash infra/registry/fetch.sh; [ $((SECONDS - t)) -lt 2 ] || step "schema registry ready in $((SECONDS - t))s"

# --- TypeScript build (incremental) ----------------------------------------------------
npx --no-install tsc -b services/tsconfig.json
# The notary's native batch root (Rust; skipped when up to date, node:crypto without cargo).
node services/notary/build-native.mjs
# The console's browser app (Vite; skipped when up to date), served by the node under /console.
node services/console/build-web.mjs
# npm links the workspaces' bins (`ies`, `ies-gateway`, …) only when their targets exist, and
# on a fresh clone `npm ci` runs before the build made them: link them now.
[ -e node_modules/.bin/ies ] || npm rebuild --ignore-scripts --workspaces --loglevel=error >/dev/null

[ $((SECONDS - t_all)) -lt 3 ] || step "done in $((SECONDS - t_all))s"
