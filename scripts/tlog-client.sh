#!/usr/bin/env bash
# The independent tiled-log client (tools/tlog-client, Go, golang.org/x/mod's sumdb/note and
# sumdb/tlog): builds it into .cache/tlog-client/ when the binary is missing or its sources
# changed (modules from the Go module proxy into .cache/go), then runs it with the arguments:
#   bash scripts/tlog-client.sh [-old CHECKPOINT_FILE]... <log URL prefix> <verifier key>
# With --build-only it only builds and prints the binary's path. Needs Go >= 1.26 on PATH.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$ROOT/tools/tlog-client"
OUT="$ROOT/.cache/tlog-client"
BIN="$OUT/tlog-client"

command -v go >/dev/null || { echo "tlog-client: 'go' (>= 1.26) is not on PATH; it builds the independent log client" >&2; exit 3; }
stamp="$(cat "$SRC/go.mod" "$SRC/go.sum" "$SRC"/*.go | sha256sum | cut -d' ' -f1) $(go env GOVERSION)"
if [[ ! -x "$BIN" || "$(cat "$OUT/stamp" 2>/dev/null)" != "$stamp" ]]; then
  mkdir -p "$OUT" "$ROOT/.cache/go"
  echo "tlog-client: building tools/tlog-client into .cache/tlog-client" >&2
  (cd "$SRC" && GOPATH="$ROOT/.cache/go/path" GOMODCACHE="$ROOT/.cache/go/mod" GOCACHE="$ROOT/.cache/go/cache" \
    GOFLAGS="-modcacherw -buildvcs=false -mod=readonly" GOTOOLCHAIN=local go build -trimpath -o "$BIN.tmp" .)
  mv "$BIN.tmp" "$BIN"
  printf '%s' "$stamp" >"$OUT/stamp"
fi
if [[ "${1:-}" == "--build-only" ]]; then echo "$BIN"; exit 0; fi
exec "$BIN" "$@"
