// Each tenant's log as a C2SP tiled log (c2sp.org/tlog-tiles), judged by a client that knows
// nothing of this project: tools/tlog-client, built from golang.org/x/mod's published
// sumdb/note and sumdb/tlog. The node's front door listens on 127.0.0.1, a real notary appends
// head-end batches posted through it, and the client checks the served checkpoint, every tile,
// every entry bundle and consistency with earlier checkpoints; a key other than the log's fails it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { get as httpGet } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { Ed25519KeyFile, generateSigningKey, type KeyPair } from '@ies/crypto';
import { startNotaryService } from '@ies/notary';
import { LogStore } from '@ies/notary/log';
import { createLogger } from '@ies/observability';
import { eventually, nullStream } from '@ies/testing';
import { checkpointSizeOf, formatCheckpoint, formatVerifierKey, noteSigner, parseVerifierKey, signNote, trustFromVerifierKeys, verifyCheckpoint } from '@ies/verify';
import { CSV_HEADER, istBlocks, registryYaml, startHarness } from './harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');
const work = mkdtempSync(path.join(tmpdir(), 'ies-tlog-'));
let h: Awaited<ReturnType<typeof startHarness>>;
let tenant: string;
let headEnd: KeyPair;
let notary: Awaited<ReturnType<typeof startNotaryService>>;
let prefix: string;
let vkey: string;
let client: string;
const keysDir = mkdtempSync(path.join(tmpdir(), 'ies-notary-'));
const checkpoints: string[] = [];
// Distinct blocks over three IST days, so that no read revises another.
const blocks = [...istBlocks(96, -1), ...istBlocks(96, -2), ...istBlocks(96, -3)];
let posted = 0;

before(async () => {
  // The client is built once (Go module proxy into .cache/go); the first build takes about a minute.
  const build = spawnSync('bash', [path.join(ROOT, 'scripts/tlog-client.sh'), '--build-only'], { encoding: 'utf8' });
  assert.equal(build.status, 0, `building tools/tlog-client: ${build.stderr}`);
  client = build.stdout.trim();
  // Admission does not wait on the notary here: the test posts faster than one checkpoint a second.
  h = await startHarness(1, { IES_INGEST_MAX_NOTARY_LAG_MS: '3600000' });
  [tenant] = h.tenants as [string];
  headEnd = await generateSigningKey('EdDSA');
  assert.equal((await h.applyRegistry(registryYaml(tenant, { id: 'HES-1', keys: [headEnd] }, [{ id: 'M-1' }]))).statusCode, 200);
  const address = await h.app.listen({ host: '127.0.0.1', port: 0 });
  prefix = `${address}/logs/${tenant}`;
  // The log's origin is its URL prefix without scheme: the node's public URL is where it listens.
  const env = { ...process.env, IES_TENANTS: tenant, IES_PUBLIC_URL: address, IES_NOTARY_KEYS_DIR: keysDir, IES_OPERATOR_JWKS_FILE: h.config.auth.operatorJwksFile, IES_LOG_LEVEL: 'warn' };
  notary = await startNotaryService(env, { onFatal: (err) => assert.fail(err), logger: createLogger({ name: 'it', level: 'silent' }, nullStream()) });
  const keys = await eventually(() => new LogStore(h.redis, tenant).keys(), 10_000, 'the notary keys');
  vkey = keys.verifierKeys[0]!;
}, { timeout: 300_000 });

after(async () => {
  await notary?.stop();
  await h?.close();
});

/** Posts `count` signed one-read batches through the front door (8 at a time). */
async function post(count: number): Promise<void> {
  const rows = Array.from({ length: count }, () => `M-1,${blocks[posted++]!},${100 + posted},0,VALID`);
  for (let i = 0; i < rows.length; i += 8) {
    await Promise.all(rows.slice(i, i + 8).map(async (row) => {
      const { res } = await h.submit(`${CSV_HEADER}\n${row}\n`, headEnd);
      assert.equal(res.statusCode, 202, res.body);
    }));
  }
}

/** The served checkpoint once the log has `size` entries, saved as a file for the client's -old. */
async function checkpointAt(size: number): Promise<string> {
  const note = await eventually(async () => {
    const res = await fetch(`${prefix}/checkpoint`);
    const text = res.status === 200 ? await res.text() : '';
    return text && checkpointSizeOf(text) === size ? text : undefined;
  }, 60_000, `a checkpoint of size ${size}`);
  const file = path.join(work, `checkpoint-${size}.txt`);
  writeFileSync(file, note);
  checkpoints.push(file);
  return note;
}

/** Runs the client as its own process (asynchronously: this process serves the log it reads). */
function runClient(key: string, olds: readonly string[] = checkpoints.slice(0, -1)): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    execFile(client, [...olds.flatMap((f) => ['-old', f]), prefix, key], { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, out: `${stdout}${stderr}`.trim() });
    });
  });
}

test('the checkpoint, partial tiles and entry bundles are served as the spec says, and the CLI verifier agrees on the origin', async (t) => {
  await post(5);
  const note = await checkpointAt(5);
  const res = await fetch(`${prefix}/checkpoint`);
  assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.match(String(res.headers.get('cache-control')), /max-age=[0-5]\b/, 'the checkpoint is cached for seconds at most');
  const origin = note.split('\n')[0]!;
  assert.equal(origin, prefix.replace(/^http:\/\//, ''), 'the origin is the prefix without scheme');
  assert.equal(note.split('\n\n')[0]!.split('\n').length, 3, 'no extension lines');
  const verified = verifyCheckpoint(note, { ...(await trustFromVerifierKeys([vkey])), origin });
  assert.ok(verified.ok, verified.ok ? '' : verified.reason);

  const tile = await fetch(`${prefix}/tile/0/000.p/5`);
  assert.equal(tile.status, 200);
  assert.equal(tile.headers.get('content-type'), 'application/octet-stream');
  assert.match(String(tile.headers.get('cache-control')), /immutable/);
  const hashes = Buffer.from(await tile.arrayBuffer());
  assert.equal(hashes.length, 5 * 32);
  const bundle = await fetch(`${prefix}/tile/entries/000.p/5`, { headers: { 'accept-encoding': 'identity' } });
  assert.equal(bundle.status, 200);
  assert.equal(bundle.headers.get('content-encoding'), null);
  const bytes = Buffer.from(await bundle.arrayBuffer());
  // Each entry: a 16-bit big-endian length, then the RFC 8785 batch entry, whose leaf hash is in the tile.
  let at = 0;
  for (let i = 0; i < 5; i++) {
    const length = bytes.readUInt16BE(at);
    const entry = bytes.subarray(at + 2, at + 2 + length);
    assert.equal(JSON.parse(entry.toString()).discomId, tenant);
    assert.deepEqual(createHash('sha256').update(Uint8Array.of(0)).update(entry).digest(), hashes.subarray(i * 32, (i + 1) * 32), `leaf ${i}`);
    at += 2 + length;
  }
  assert.equal(at, bytes.length);
  // fetch() would decompress by itself: read the raw answer.
  const gz = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
    httpGet(`${prefix}/tile/entries/000.p/5`, { headers: { 'accept-encoding': 'gzip' } }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ encoding: r.headers['content-encoding'], body: Buffer.concat(chunks) })).on('error', reject);
    }).on('error', reject);
  });
  assert.equal(gz.encoding, 'gzip');
  assert.deepEqual(gunzipSync(gz.body), bytes, 'the gzip bundle is the same bundle');

  // Beyond the tree, not a tile, not a tenant: refusals (never cached).
  for (const [url, status] of [['tile/0/000.p/6', 404], ['tile/0/000', 404], ['tile/1/000.p/1', 404], ['tile/entries/001.p/1', 404], ['tile/0/0', 400], ['tile/0/x000/000.p/1', 400], ['tile/0/000.p/256', 400]] as const) {
    const r = await fetch(`${prefix}/${url}`);
    assert.equal(r.status, status, url);
    assert.match(String(r.headers.get('content-type')), /^application\/problem\+json/, url);
    assert.equal(r.headers.get('cache-control'), 'no-store', url);
  }
  assert.equal((await fetch(`${prefix.replace(tenant, 'NOT-HOSTED')}/checkpoint`)).status, 404);

  await post(3);
  await checkpointAt(8);
  const ok = await runClient(vkey);
  assert.equal(ok.status, 0, ok.out);
  t.diagnostic(ok.out);
  assert.match(ok.out, /^OK: .* size 8 .* 1 tiles \(1 partial\) rebuild the root; 8 entries in 1 bundles match their leaf hashes; consistent with earlier checkpoint\(s\) of size 5\b/);
});

test('a full tile (256 entries): the client rebuilds the tree from full and partial tiles and proves every earlier checkpoint consistent', async (t) => {
  await post(252);
  await checkpointAt(260);
  const full = await fetch(`${prefix}/tile/0/000`);
  assert.equal(full.status, 200);
  const leaves = Buffer.from(await full.arrayBuffer());
  assert.equal(leaves.length, 8192);
  assert.match(String(full.headers.get('cache-control')), /immutable/);
  // Level 1 holds the hash of the full level-0 tile: its 256 leaves folded as RFC 6962 nodes.
  const level1 = Buffer.from(await (await fetch(`${prefix}/tile/1/000.p/1`)).arrayBuffer());
  let level = Array.from({ length: 256 }, (_, i) => leaves.subarray(i * 32, (i + 1) * 32));
  while (level.length > 1) level = Array.from({ length: level.length / 2 }, (_, i) => createHash('sha256').update(Uint8Array.of(1)).update(level[2 * i]!).update(level[2 * i + 1]!).digest());
  assert.deepEqual(level1, level[0]);
  // The partial tile of an earlier checkpoint stays served once its tile is full.
  assert.equal((await fetch(`${prefix}/tile/0/000.p/8`)).status, 200);

  const ok = await runClient(vkey);
  assert.equal(ok.status, 0, ok.out);
  t.diagnostic(ok.out);
  assert.match(ok.out, /size 260 .* 3 tiles \(2 partial\) rebuild the root; 260 entries in 2 bundles match their leaf hashes; consistent with earlier checkpoint\(s\) of size 5, 8\b/);

  // Another key under the log's name: the signature does not verify and the client fails.
  const stranger = parseVerifierKey(vkey);
  const other = await generateSigningKey('EdDSA');
  const forged = formatVerifierKey({ name: stranger.name, publicKey: new Uint8Array(Buffer.from(other.publicJwk.x as string, 'base64url')) });
  const refused = await runClient(forged);
  assert.equal(refused.status, 1, refused.out);
  assert.match(refused.out, /^FAIL: checkpoint: signature does not verify/);
  // A fork: the log's own key signed an earlier tree of another history (size 259, another
  // root). The served tiles of that size do not rebuild its root: the client catches it.
  const [signingKey] = (await new Ed25519KeyFile(keysDir, tenant).current()).privateKeys;
  const forkNote = signNote(formatCheckpoint({ origin: stranger.name, size: 259, rootHash: createHash('sha256').update('another history').digest(), extensions: [] }), noteSigner(stranger.name, signingKey!));
  const fork = path.join(work, 'fork-259.txt');
  writeFileSync(fork, forkNote);
  const forked = await runClient(vkey, [fork]);
  assert.equal(forked.status, 1, forked.out);
  assert.match(forked.out, /^FAIL: .*fork-259\.txt: the tiles of size 259 hash to \S+, the checkpoint says/);
});
