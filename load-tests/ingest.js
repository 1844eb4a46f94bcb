// k6 load test for POST /v1/meter-data (signed compact CSV). Run it with load-tests/run.sh
// (npm run loadtest), which starts a gateway on 127.0.0.1 and pre-signs the requests.
//
// MODE=probe: one closed-loop scenario (PROBE_VUS VUs send each prepared batch once, for at
// most PROBE_SECONDS) that measures the sustained capacity; run.sh then offers half of it as STEADY_RATE, since p99 at saturation
// only measures the queue.
// Otherwise two scenarios, one after the other, 75 s in all (plus at most 5 s graceful stop each):
//   steady         constant-arrival-rate: STEADY_RATE batches/s for STEADY_SECONDS
//   backlog_burst  ramping-arrival-rate: a head-end flushing its backlog, up to BURST_RATE
//                  batches/s, then back down
// The requests come pre-signed from .cache/k6/requests.json (prepare.mjs). Each scenario
// walks its own part of the list; when the list runs out it wraps around, and a re-sent
// entry (same jti, same body) takes the gateway's idempotent replay path: 202 with
// `idempotent-replayed: true`, counted in `replayed_batches`.
/* global __ENV, open */
import http from 'k6/http';
import exec from 'k6/execution';
import { check } from 'k6';
import { SharedArray } from 'k6/data';
import { Counter, Trend } from 'k6/metrics';

const GATEWAY_URL = __ENV.GATEWAY_URL || 'http://127.0.0.1:8080';
const REQUESTS_FILE = __ENV.REQUESTS_FILE || '../.cache/k6/requests.json';
const STEADY_RATE = Number(__ENV.STEADY_RATE || 20);
const STEADY_SECONDS = Number(__ENV.STEADY_SECONDS || 40);
const BURST_RATE = Number(__ENV.BURST_RATE || 60);
const STEADY_P99_MS = Number(__ENV.STEADY_P99_MS || 100);
const BURST_P99_MS = Number(__ENV.BURST_P99_MS || 250);
const MAX_VUS = Math.min(50, Number(__ENV.MAX_VUS || 50));
const PROBE = __ENV.MODE === 'probe';
const PROBE_VUS = Math.min(MAX_VUS, Number(__ENV.PROBE_VUS || 16));
const PROBE_SECONDS = Math.min(20, Number(__ENV.PROBE_SECONDS || 10));
/** Where this run starts in the list: the probe's entries are not offered again. */
const FIRST = Number(__ENV.FIRST_REQUEST || 0);

if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(GATEWAY_URL)) throw new Error(`GATEWAY_URL must be http://127.0.0.1:PORT, not ${GATEWAY_URL}`);
if (STEADY_SECONDS > 45) throw new Error('STEADY_SECONDS must be ≤ 45 (the whole run stays under 90 s)');

const requests = new SharedArray('signed batches', () => JSON.parse(open(REQUESTS_FILE)).requests);
const replayed = new Counter('replayed_batches');
const fresh = new Counter('fresh_batches');
const ingestLatency = new Trend('ingest_latency', true);

const BURST_START = STEADY_SECONDS + 5;
/** Iterations the steady scenario makes (k6 may start one more as its duration ends); the burst starts after them in the list. */
const STEADY_ITERATIONS = STEADY_RATE * STEADY_SECONDS + 1;

const probeOptions = {
  // Each prepared batch once: the probe ends when they are all sent (or at PROBE_SECONDS), so
  // no cheap replay inflates the capacity it measures.
  scenarios: { probe: { executor: 'shared-iterations', vus: PROBE_VUS, iterations: requests.length, maxDuration: `${PROBE_SECONDS}s`, gracefulStop: '5s' } },
  thresholds: { http_req_failed: ['rate<0.01'] },
};

const runOptions = {
  scenarios: {
    steady: {
      executor: 'constant-arrival-rate',
      rate: STEADY_RATE,
      timeUnit: '1s',
      duration: `${STEADY_SECONDS}s`,
      // VUs made before the start: one made mid-run is an arrival that waits for it.
      preAllocatedVUs: Math.min(MAX_VUS, 40),
      maxVUs: MAX_VUS,
      gracefulStop: '5s',
    },
    backlog_burst: {
      executor: 'ramping-arrival-rate',
      startTime: `${BURST_START}s`,
      startRate: STEADY_RATE,
      timeUnit: '1s',
      stages: [
        { target: BURST_RATE, duration: '5s' },
        { target: BURST_RATE, duration: '15s' },
        { target: STEADY_RATE, duration: '5s' },
      ],
      preAllocatedVUs: Math.min(MAX_VUS, 20),
      maxVUs: MAX_VUS,
      gracefulStop: '5s',
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{scenario:steady}': [`p(99)<${STEADY_P99_MS}`],
    // The figure run.sh reports: the steady scenario's first deliveries, replays left out.
    'ingest_latency{scenario:steady,replayed:false}': [`p(99)<${STEADY_P99_MS}`],
    'fresh_batches{scenario:steady}': ['count>=0'],
    'replayed_batches{scenario:steady}': ['count>=0'],
    'dropped_iterations{scenario:steady}': ['count>=0'],
    'http_req_duration{scenario:backlog_burst}': [`p(99)<${BURST_P99_MS}`],
    'ingest_latency{replayed:false}': [`p(99)<${BURST_P99_MS}`],
    checks: ['rate>0.99'],
  },
};

export const options = {
  ...(PROBE ? probeOptions : runOptions),
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
  // Only the local gateway: every IPv4 address outside 127.0.0.0/8 is refused, and no name is resolved.
  blacklistIPs: ['0.0.0.0/2', '64.0.0.0/3', '96.0.0.0/4', '112.0.0.0/5', '120.0.0.0/6', '124.0.0.0/7', '126.0.0.0/8', '128.0.0.0/1'],
  blockHostnames: ['*'],
};

export default function () {
  const n = FIRST + (exec.scenario.name === 'backlog_burst' ? STEADY_ITERATIONS + exec.scenario.iterationInTest : exec.scenario.iterationInTest);
  const entry = requests[n % requests.length];
  const res = http.post(`${GATEWAY_URL}/v1/meter-data`, entry.body, {
    headers: { 'content-type': 'text/csv', 'x-ies-signature': entry.signature },
    timeout: '30s',
  });
  const isReplay = res.headers['Idempotent-Replayed'] === 'true';
  if (isReplay) replayed.add(1);
  else if (res.status === 202) fresh.add(1);
  ingestLatency.add(res.timings.duration, { replayed: String(isReplay) });
  check(res, { 'status is 202': (r) => r.status === 202 });
}
