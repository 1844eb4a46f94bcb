#!/usr/bin/env bash
# k6 load test of POST /v1/meter-data against a gateway child process on 127.0.0.1.
# Called by `npm run loadtest` (after the build and `stack.sh up`). Builds k6 from its Go
# module into .cache/k6/bin on first use, starts a gateway with a fresh tenant and a
# temporary operator key, pre-signs the requests (prepare.mjs), runs k6 (≤ 90 s), prints
# the figures and stops the gateway by its pid. Exit status: k6's (99 = thresholds crossed).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

K6_VERSION="v1.8.1"
K6_BIN="$ROOT/.cache/k6/bin/k6"
SUMMARY="$ROOT/.cache/k6/summary.json"
REQUESTS="$ROOT/.cache/k6/requests.json"
# Without STEADY_RATE, a closed-loop probe measures the capacity first (on its own pre-signed
# requests) and the steady scenario offers half of it; the run's requests are then signed for
# the rates chosen (up to MAX_PREPARED of them), so the steady scenario offers first deliveries only.
MAX_PREPARED="${IES_LOADTEST_MAX_PREPARED:-15000}"
PROBE_FIRST=""
[[ -z "${STEADY_RATE:-}" ]] && PROBE_FIRST=1
REQUEST_COUNT="${IES_LOADTEST_REQUESTS:-2000}"
PROBE_REQUESTS="$ROOT/.cache/k6/probe-requests.json"
PROBE_SUMMARY="$ROOT/.cache/k6/probe-summary.json"

log() { printf 'loadtest: %s\n' "$*"; }

# --- k6 ---------------------------------------------------------------------------------
if [[ ! -x "$K6_BIN" ]]; then
  command -v go >/dev/null || { echo "loadtest: k6 is not built and 'go' is not installed" >&2; exit 1; }
  log "building k6 $K6_VERSION from go.k6.io/k6 into .cache/k6/bin (first run only; several minutes)"
  mkdir -p "$ROOT/.cache/k6/bin" "$ROOT/.cache/go"
  started=$SECONDS
  GOPATH="$ROOT/.cache/go/path" GOCACHE="$ROOT/.cache/go/cache" GOMODCACHE="$ROOT/.cache/go/mod" \
    GOBIN="$ROOT/.cache/k6/bin" GOFLAGS="-buildvcs=false" \
    go install "go.k6.io/k6@$K6_VERSION"
  log "k6 built in $((SECONDS - started)) s"
fi
"$K6_BIN" version

# --- gateway child ------------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/ies-loadtest.XXXXXX")"
GW_PID=""
cleanup() {
  if [[ -n "$GW_PID" ]] && kill -0 "$GW_PID" 2>/dev/null; then
    kill -TERM "$GW_PID" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$GW_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$GW_PID" 2>/dev/null; then kill -KILL "$GW_PID" 2>/dev/null || true; fi
    log "gateway (pid $GW_PID) stopped"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

TENANT="LOAD-$(node -e 'process.stdout.write(require("node:crypto").randomBytes(4).toString("hex").toUpperCase())')"
PORT="$(node -e 'const s=require("node:net").createServer();s.listen(0,"127.0.0.1",()=>{process.stdout.write(String(s.address().port));s.close()})')"
GATEWAY_URL="http://127.0.0.1:$PORT"
node services/cli/dist/src/bin.js keys generate --operator --out "$WORK" >/dev/null

log "provisioning tenant $TENANT (topics and ACLs, as the Kafka admin)"
IES_TENANTS="$TENANT" node services/cli/dist/src/bin.js tenants provision >/dev/null
log "starting gateway for tenant $TENANT on $GATEWAY_URL"
IES_TENANTS="$TENANT" IES_OPERATOR_JWKS_FILE="$WORK/operator.jwks.json" IES_HTTP_HOST=127.0.0.1 IES_HTTP_PORT="$PORT" IES_LOG_LEVEL=warn \
  node services/gateway/dist/src/bin.js >"$WORK/gateway.log" 2>&1 &
GW_PID=$!

ready=""
for _ in $(seq 1 360); do  # 90 s
  if ! kill -0 "$GW_PID" 2>/dev/null; then
    echo "loadtest: the gateway exited before it was ready; its log:" >&2
    cat "$WORK/gateway.log" >&2
    exit 1
  fi
  if [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$GATEWAY_URL/readyz" || true)" == "200" ]]; then ready=1; break; fi
  sleep 0.25
done
[[ -n "$ready" ]] || { echo "loadtest: gateway not ready within 90 s; its log:" >&2; cat "$WORK/gateway.log" >&2; exit 1; }
log "gateway pid $GW_PID ready"

# --- pre-signed requests -------------------------------------------------------------------
prepare() { node load-tests/prepare.mjs --url "$GATEWAY_URL" --discom "$TENANT" --operator-key "$WORK/operator.private.jwk.json" --count "$1" --out "$2"; }
if [[ -z "$PROBE_FIRST" ]]; then prepare "$REQUEST_COUNT" "$REQUESTS"; fi

# --- capacity probe ---------------------------------------------------------------------------
CAPACITY_RPS=""
if [[ -n "$PROBE_FIRST" ]]; then
  rm -f "$PROBE_SUMMARY"
  prepare "${IES_LOADTEST_PROBE_REQUESTS:-4000}" "$PROBE_REQUESTS"
  log "probe: closed loop, ${PROBE_VUS:-16} VUs sending each of its batches once (at most ${PROBE_SECONDS:-10} s), to measure the sustained capacity"
  K6_NO_USAGE_REPORT=true timeout --signal=INT --kill-after=10 60 "$K6_BIN" run --quiet --no-usage-report \
    --summary-export "$PROBE_SUMMARY" -e MODE=probe -e PROBE_VUS="${PROBE_VUS:-16}" -e PROBE_SECONDS="${PROBE_SECONDS:-10}" \
    -e GATEWAY_URL="$GATEWAY_URL" -e REQUESTS_FILE="$PROBE_REQUESTS" load-tests/ingest.js >/dev/null || true
  read -r CAPACITY_RPS PROBED < <(node -e '
    const m = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).metrics;
    process.stdout.write(`${m.http_reqs.rate.toFixed(1)} ${m.iterations.count}\n`);' "$PROBE_SUMMARY")
  STEADY_RATE="$(node -e 'process.stdout.write(String(Math.max(1, Math.floor(Number(process.argv[1]) / 2))))' "$CAPACITY_RPS")"
  # The backlog burst climbs to the measured capacity (unless BURST_RATE is given).
  BURST_RATE="${BURST_RATE:-$(node -e 'process.stdout.write(String(Math.max(2, Math.floor(Number(process.argv[1])))))' "$CAPACITY_RPS")}"
  export STEADY_RATE BURST_RATE
  # At most MAX_PREPARED batches are signed (each about 31 KB of JSON). When half the capacity
  # would use them up before STEADY_SECONDS, the steady scenario is shortened (to 10 s at least)
  # so that every batch it offers is a first delivery; the burst may then replay.
  STEADY_SECONDS="$(node -e 'const [s, t, cap] = process.argv.slice(1).map(Number); process.stdout.write(String(Math.max(10, Math.min(t, Math.floor(cap / (1.1 * s))))))' "$STEADY_RATE" "${STEADY_SECONDS:-40}" "$MAX_PREPARED")"
  export STEADY_SECONDS
  log "probe: sustained ${CAPACITY_RPS} batches/s (×1,000 reads, ${PROBED} batches); the steady scenario offers half: ${STEADY_RATE} batches/s for ${STEADY_SECONDS} s, the burst climbs to ${BURST_RATE}"
  # steady + the burst (5 s up, 15 s held, 5 s down) + 10 %: every batch of the run a first delivery, up to MAX_PREPARED.
  prepare "$(node -e 'const [s, b, t, cap] = process.argv.slice(1).map(Number); process.stdout.write(String(Math.min(cap, Math.ceil(1.1 * (s * t + 2.5 * (s + b) + 15 * b)))))' "$STEADY_RATE" "$BURST_RATE" "$STEADY_SECONDS" "$MAX_PREPARED")" "$REQUESTS"
fi

# --- k6 -----------------------------------------------------------------------------------
rm -f "$SUMMARY"
set +e
K6_NO_USAGE_REPORT=true timeout --signal=INT --kill-after=10 150 "$K6_BIN" run --quiet --no-usage-report \
  --summary-export "$SUMMARY" \
  -e GATEWAY_URL="$GATEWAY_URL" -e REQUESTS_FILE="$REQUESTS" ${STEADY_RATE:+-e STEADY_RATE="$STEADY_RATE"} ${STEADY_SECONDS:+-e STEADY_SECONDS="$STEADY_SECONDS"} ${BURST_RATE:+-e BURST_RATE="$BURST_RATE"} \
  load-tests/ingest.js
K6_STATUS=$?
set -e

if [[ -s "$WORK/gateway.log" ]]; then
  log "gateway log (warnings and errors, last 20 lines):"
  tail -n 20 "$WORK/gateway.log"
fi

# --- figures -------------------------------------------------------------------------------
if [[ -s "$SUMMARY" ]]; then
  CAPACITY_RPS="$CAPACITY_RPS" STEADY_RATE="${STEADY_RATE:-}" node - "$SUMMARY" "$REQUESTS" <<'EOF'
const fs = require('node:fs');
const s = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const reads = JSON.parse(fs.readFileSync(process.argv[3], 'utf8')).readsPerRequest;
const m = s.metrics;
const get = (name, key) => (m[name] ? m[name][key] : undefined);
const f = (v, d = 1) => (typeof v === 'number' ? v.toFixed(d) : 'n/a');
const rows = [
  ['iterations', get('iterations', 'count'), `${f(get('iterations', 'rate'), 1)}/s`],
  ['http requests', get('http_reqs', 'count'), `${f(get('http_reqs', 'rate'), 1)} req/s ≈ ${f((get('http_reqs', 'rate') ?? 0) * reads, 0)} reads/s`],
  ['http_req_duration', `p50 ${f(get('http_req_duration', 'med'))} ms`, `p95 ${f(get('http_req_duration', 'p(95)'))} ms, p99 ${f(get('http_req_duration', 'p(99)'))} ms, max ${f(get('http_req_duration', 'max'))} ms`],
  ['http_req_failed', `${f((get('http_req_failed', 'value') ?? 0) * 100, 2)} %`, `${get('http_req_failed', 'passes') ?? 0} failed`],
  ['fresh batches (202)', get('fresh_batches', 'count') ?? 0, ''],
  ['replayed batches', get('replayed_batches', 'count') ?? 0, 'idempotent-replayed: true'],
  ['dropped iterations', get('dropped_iterations', 'count') ?? 0, 'arrivals k6 could not start (all VUs busy)'],
  ['max VUs', get('vus_max', 'max') ?? get('vus_max', 'value'), ''],
];
console.log('\nloadtest figures (from .cache/k6/summary.json):');
for (const [a, b, c] of rows) console.log(`  ${String(a).padEnd(22)} ${String(b).padEnd(18)} ${c}`);
// The target figure: the steady scenario's first deliveries only (a replay is a cheap lookup).
const steadyP99 = m['ingest_latency{scenario:steady,replayed:false}']?.['p(99)'];
const steadyFresh = m['fresh_batches{scenario:steady}']?.count ?? 0;
const steadyReplays = m['replayed_batches{scenario:steady}']?.count ?? 0;
const steadyDropped = m['dropped_iterations{scenario:steady}']?.count ?? 0;
const replays = get('replayed_batches', 'count') ?? 0;
if (replays > 0) console.log(`  note: ${replays} batches were replays (the prepared list ran out), ${steadyReplays} of them in the steady scenario; the steady p99 below counts first deliveries only`);
if (process.env.CAPACITY_RPS && typeof steadyP99 === 'number') {
  const capacity = Number(process.env.CAPACITY_RPS) * reads;
  console.log(`  capacity (probe)       ${f(capacity, 0)} reads/s   steady offered ${process.env.STEADY_RATE} batches/s = ${f(Number(process.env.STEADY_RATE) * reads / capacity, 2)} of it for ${process.env.STEADY_SECONDS} s, p99 accept→202 ${f(steadyP99)} ms over its ${steadyFresh} first deliveries (${steadyDropped} arrivals dropped: all VUs busy)`);
  import(require('node:path').resolve('services/observability/dist/src/index.js')).then(({ recordBenchFigure }) => {
    recordBenchFigure({ stage: 'ingest latency', metric: 'p99 accept→202 at half capacity (k6)', value: steadyP99, unit: 'ms', ceiling: null, target: { kind: 'at-most', value: 100 } });
    recordBenchFigure({ stage: 'ingest latency', metric: 'accepted reads/s, closed loop (k6 probe)', value: capacity, unit: 'reads/s', ceiling: null, target: null });
  });
}
for (const [name, metric] of Object.entries(m)) {
  if (!metric.thresholds) continue;
  for (const [expr, ok] of Object.entries(metric.thresholds)) console.log(`  threshold ${name} ${expr}: ${ok === false || ok.ok === true ? 'passed' : 'CROSSED'}`);
}
EOF
fi
log "k6 exit status $K6_STATUS"
exit "$K6_STATUS"
