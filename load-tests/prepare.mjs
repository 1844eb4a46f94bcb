#!/usr/bin/env node
// Pre-signs the requests the k6 script sends (k6 cannot sign Ed25519). Given a running
// gateway, it registers one head-end and its meters with an operator-signed registry
// document, then writes N signed compact-CSV batches ({ body, signature }) to a JSON file
// that load-tests/ingest.js loads into a SharedArray. Every batch has its own jti and
// iat = now, so the k6 run must start and finish within the gateway's ±300 s skew window.
// It starts nothing itself. Uses the built workspace packages (npm run build first).
//
//   node load-tests/prepare.mjs --url http://127.0.0.1:PORT --discom LOAD-AB12 \
//     --operator-key DIR/operator.private.jwk.json [--count 2000] [--batch-reads 1000] \
//     [--meters 1000] [--out .cache/k6/requests.json]
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRandom } from '@ies/cli';
import { generateSigningKey, importPrivateJwk, signDetached } from '@ies/crypto';

const BLOCK_MS = 900_000;
const CSV_HEADER = 'meter_id,block_start,import_wh,export_wh,status';

function parse(argv) {
  const o = new Map();
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf('=');
    if (eq > 0) o.set(a.slice(2, eq), a.slice(eq + 1));
    else o.set(a.slice(2), argv[++i]);
  }
  return o;
}

function int(o, name, fallback, min, max) {
  const v = Number(o.get(name) ?? fallback);
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`--${name} must be an integer from ${min} to ${max}`);
  return v;
}

const args = parse(process.argv.slice(2));
const url = args.get('url');
const discom = args.get('discom');
const operatorKeyFile = args.get('operator-key');
if (!url || !discom || !operatorKeyFile) {
  console.error('usage: prepare.mjs --url http://127.0.0.1:PORT --discom TENANT --operator-key FILE [--count 2000] [--batch-reads 1000] [--meters 1000] [--out .cache/k6/requests.json]');
  process.exit(2);
}
if (new URL(url).hostname !== '127.0.0.1') throw new Error(`--url must point at 127.0.0.1, not ${url}`);
const count = int(args, 'count', 2000, 1, 20_000);
const batchReads = int(args, 'batch-reads', 1000, 2, 50_000);
if (batchReads % 2 !== 0) throw new Error('--batch-reads must be even (each row is an import and an export read)');
const meterCount = int(args, 'meters', 1000, 1, 100_000);
const out = path.resolve(args.get('out') ?? '.cache/k6/requests.json');

const runId = randomBytes(4).toString('hex').toUpperCase();
const headEndId = `K6-HES-${runId}`;
const headEnd = await generateSigningKey('EdDSA');
const meters = Array.from({ length: meterCount }, (_, i) => `K6-MTR-${runId}-${String(i + 1).padStart(6, '0')}`);

// 1. Register the head-end and its meters (operator-signed registry document).
const operator = await importPrivateJwk(JSON.parse(readFileSync(operatorKeyFile, 'utf8')));
const lines = [`discom: ${discom}`, 'participants:', `  - id: ${headEndId}`, '    role: HEADEND', '    name: k6 load-test head-end', '    keys:', `      - ${JSON.stringify(headEnd.publicJwk)}`, 'meters:'];
for (const id of meters) lines.push(`  - ${JSON.stringify({ id, scheme: 'METER_SERIAL', headEnd: headEndId, sanctionedLoadW: 5_000, derCapacityW: 3_000 })}`);
const registryBody = Buffer.from(`${lines.join('\n')}\n`);
const registrySig = await signDetached(registryBody, operator, { iat: Math.floor(Date.now() / 1000), jti: `K6-REG-${runId}`, htm: 'POST', htu: '/v1/registry', tenant: discom });
const reg = await fetch(`${url}/v1/registry`, { method: 'POST', headers: { 'content-type': 'application/yaml', 'x-ies-signature': registrySig }, body: registryBody, signal: AbortSignal.timeout(60_000) });
if (reg.status !== 200) throw new Error(`registry POST failed: ${reg.status} ${(await reg.text()).slice(0, 500)}`);

// 2. Signed batches: the meters block by block backwards from the latest ended block, so
// every (meter, block) occurs once and every read passes VEE.
const nowMs = Date.now();
const latest = Math.floor(nowMs / BLOCK_MS) * BLOCK_MS - 2 * BLOCK_MS;
const iat = Math.floor(nowMs / 1000);
const rowsPerBatch = batchReads / 2;
let k = 0;
const rnd = createRandom(0x9e3779b9);
const requests = [];
for (let b = 0; b < count; b += 1) {
  let csv = `${CSV_HEADER}\n`;
  for (let r = 0; r < rowsPerBatch; r += 1, k += 1) {
    const meterId = meters[k % meters.length];
    const blockStart = latest - Math.floor(k / meters.length) * BLOCK_MS;
    const solar = rnd() < 0.3;
    csv += `${meterId},${new Date(blockStart).toISOString()},${solar ? 0 : Math.floor(rnd() * 900)},${solar ? Math.floor(rnd() * 600) : 0},VALID\n`;
  }
  const body = Buffer.from(csv);
  const signature = await signDetached(body, headEnd, { iat, jti: `K6-${runId}-${String(b).padStart(6, '0')}`, htm: 'POST', htu: '/v1/meter-data', tenant: discom });
  requests.push({ body: csv, signature });
}
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ discom, headEndId, iat, readsPerRequest: batchReads, requests }));
console.log(`prepare: registered ${headEndId} with ${meters.length} meters in ${discom}; wrote ${count} signed batches of ${batchReads} reads (iat ${new Date(iat * 1000).toISOString()}) to ${out}`);
