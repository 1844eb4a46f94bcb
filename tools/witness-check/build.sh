#!/usr/bin/env bash
# Builds the witness judge (tools/witness-check, Go) once into .cache/witness-check/ and prints
# the binary's path. Rebuilt only when main.go, go.mod or go.sum is newer than the binary.
# Modules and build cache live under .cache/go (git-ignored), as load-tests/run.sh does for k6.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SRC="$ROOT/tools/witness-check"
BIN="$ROOT/.cache/witness-check/witness-check"

stale=0
[[ -x "$BIN" ]] || stale=1
for f in main.go go.mod go.sum; do [[ "$SRC/$f" -nt "$BIN" ]] && stale=1; done
if [[ $stale -eq 1 ]]; then
  command -v go >/dev/null || { echo "witness-check: 'go' is not installed (the judge is a Go program)" >&2; exit 1; }
  mkdir -p "$(dirname "$BIN")" "$ROOT/.cache/go"
  started=$SECONDS
  (cd "$SRC" && GOPATH="$ROOT/.cache/go/path" GOCACHE="$ROOT/.cache/go/cache" GOMODCACHE="$ROOT/.cache/go/mod" \
    GOFLAGS="-buildvcs=false -mod=readonly" GOTOOLCHAIN=local go build -o "$BIN.tmp" . && mv "$BIN.tmp" "$BIN")
  echo "witness-check: built in $((SECONDS - started)) s" >&2
fi
echo "$BIN"
