import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ed25519KeyFile } from '@ies/crypto';
import { cosigner, formatCosignerKey, noteSigner, openNote, parseCosignerKey, parseVerifierKey, verifyCosignatures } from '@ies/verify';
import { uniqueTenant } from '@ies/testing';
import { addCheckpoint, formatAddCheckpointRequest, mergeCosignatures } from '../../src/client/index.js';
import { WitnessStore, originHash } from '../../src/index.js';
import { TestLog } from '../test-log.js';
import { startWitness } from './support.js';

// Each run watches fresh origins, so the long-lived stack's Redis never holds another run's record.
const run = uniqueTenant('WIT');
// The log signs with a key from the project's key files (as the notary's NotaryKeyFile does).
const logKeysDir = mkdtempSync(path.join(tmpdir(), 'ies-witness-log-'));
const keyFile = new Ed25519KeyFile(logKeysDir, 'LOG');
const logKey = (await keyFile.current()).privateKeys[0]!;
const log = new TestLog(`ies.test/${run}/BRPL-DL`, noteSigner(`ies.test/${run}/BRPL-DL`, logKey));
const race = new TestLog(`ies.test/${run}/race`);
const witness = await startWitness([log.vkey, race.vkey]);
after(async () => {
  await witness.close([log.origin, race.origin]);
  rmSync(logKeysDir, { recursive: true, force: true });
});

const post = (oldSize: number, size: number, l = log, proof = l.proof(oldSize, size), note = l.checkpoint(size)) =>
  witness.app.inject({ method: 'POST', url: '/witness/add-checkpoint', headers: { 'content-type': 'text/plain' }, payload: formatAddCheckpointRequest({ oldSize, proof, checkpointNote: note }) });
const vkeys = async () => (await witness.app.inject({ method: 'GET', url: '/witness/vkey' })).body.trim().split('\n');
const record = () => witness.redis.hgetall(`ies:witness:${log.origin}`);

test('a growing log is cosigned step by step; each answer verifies with the published vkey and the record follows', async () => {
  const keys = (await vkeys()).map(parseCosignerKey);
  assert.equal(keys.length, 1);
  assert.equal(keys[0]!.name, 'ies.test/witness');
  log.append(3);
  let from = 0;
  for (const grow of [0, 7, 0, 15, 233]) {
    log.append(grow);
    const size = log.leaves.length;
    const res = await post(from, size);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^text\/plain/);
    const cosigned = mergeCosignatures(log.checkpoint(size), res.body);
    const checked = verifyCosignatures(cosigned, keys);
    assert.ok(checked.ok && checked.cosignatures.length === 1, `${from} → ${size}`);
    assert.ok(checked.cosignatures[0]!.timestamp > 0);
    assert.ok(openNote(cosigned, [parseVerifierKey(log.vkey)]).ok);
    const r = await record();
    assert.equal(r.size, String(size));
    assert.equal(r.root, Buffer.from(log.root(size)).toString('base64'));
    from = size;
  }
  // Monitors read the last cosigned checkpoint by origin hash: the log's signature and the witness's.
  const mon = await witness.app.inject({ method: 'GET', url: `/witness/${originHash(log.origin)}/checkpoint` });
  assert.equal(mon.statusCode, 200);
  assert.ok(openNote(mon.body, [parseVerifierKey(log.vkey)]).ok);
  const monChecked = verifyCosignatures(mon.body, keys);
  assert.ok(monChecked.ok && monChecked.cosignatures.length === 1);
  assert.ok(mon.body.startsWith(log.checkpoint(from).split('\n\n')[0]!));
  assert.equal((await witness.app.inject({ method: 'GET', url: `/witness/${'0'.repeat(64)}/checkpoint` })).statusCode, 404);
});

test('old size other than the record is 409 text/x.tlog.size with the known size', async () => {
  const size = log.leaves.length;
  log.append(5);
  const res = await post(3, size + 5);
  assert.equal(res.statusCode, 409);
  assert.equal(res.headers['content-type'], 'text/x.tlog.size');
  assert.equal(res.body, `${size}\n`);
  assert.equal((await record()).size, String(size));
  log.leaves.length = size;
});

test('a fork is refused and leaves the record as it was: same size another root, and a larger inconsistent tree', async () => {
  const size = log.leaves.length;
  const before = await record();
  const forked = log.fork(size - 4).append(4, 'forked');
  let res = await post(size, size, forked);
  assert.equal(res.statusCode, 422, res.body);
  assert.equal(res.json().code, 'IES_ERR_WITNESS_INCONSISTENT');
  assert.match(res.json().detail, /fork: size \d+ was cosigned/);
  forked.append(40, 'forked');
  res = await post(size, size + 40, forked);
  assert.equal(res.statusCode, 422);
  // A bad proof for the honest log is refused the same way.
  log.append(40);
  const proof = log.proof(size, size + 40);
  proof[0] = forked.root(3);
  res = await post(size, size + 40, log, proof);
  assert.equal(res.statusCode, 422);
  assert.deepEqual(await record(), before);
  log.leaves.length = size;
  const metrics = (await witness.app.inject({ method: 'GET', url: '/metrics' })).body;
  assert.match(metrics, /ies_witness_add_checkpoint_total\{outcome="inconsistent",service="witness-test"\} 3/);
});

test('unknown origin 404, untrusted key 403, malformed 400, oversized 413: all problem+json', async () => {
  const stranger = new TestLog(`ies.test/${run}/stranger`).append(2);
  const impostor = new TestLog(log.origin, noteSigner(log.origin, generateKeyPairSync('ed25519').privateKey)).append(2);
  const size = log.leaves.length;
  const cases: [Promise<{ statusCode: number; headers: Record<string, unknown>; json(): { code: string } }>, number, string][] = [
    [post(0, 2, stranger), 404, 'IES_ERR_WITNESS_LOG_UNKNOWN'],
    [post(0, 2, impostor), 403, 'IES_ERR_WITNESS_SIGNATURE'],
    [post(size + 1, size, log, []), 400, 'IES_ERR_WITNESS_REQUEST_MALFORMED'],
    [witness.app.inject({ method: 'POST', url: '/witness/add-checkpoint', payload: 'old 1\n\nnot a note\n' }), 400, 'IES_ERR_WITNESS_REQUEST_MALFORMED'],
    [witness.app.inject({ method: 'POST', url: '/witness/add-checkpoint', headers: { 'content-type': 'application/octet-stream' }, payload: Buffer.from([0x6f, 0x6c, 0x64, 0xff, 0x0a]) }), 400, 'IES_ERR_WITNESS_REQUEST_MALFORMED'],
    [witness.app.inject({ method: 'POST', url: '/witness/add-checkpoint', headers: { 'content-type': 'text/plain' }, payload: 'x'.repeat(70_000) }), 413, 'IES_ERR_PAYLOAD_TOO_LARGE'],
  ];
  for (const [pending, status, code] of cases) {
    const res = await pending;
    assert.equal(res.statusCode, status, code);
    assert.match(String(res.headers['content-type']), /application\/problem\+json/);
    assert.equal(res.json().code, code);
  }
  assert.equal((await record()).size, String(size));
});

test('concurrent requests from the same old size: exactly one advances the record, the others get 409', async () => {
  race.append(10);
  assert.equal((await post(0, 10, race)).statusCode, 200);
  race.append(30);
  const answers = await Promise.all([12, 15, 20, 25, 33, 40].map((size) => post(10, size, race)));
  const statuses = answers.map((a) => a.statusCode).sort();
  assert.deepEqual(statuses, [200, 409, 409, 409, 409, 409], answers.map((a) => a.body).join(' | '));
  const winner = [12, 15, 20, 25, 33, 40][answers.findIndex((a) => a.statusCode === 200)]!;
  assert.equal((await witness.redis.hget(`ies:witness:${race.origin}`, 'size')), String(winner));
  for (const a of answers.filter((x) => x.statusCode === 409)) assert.equal(a.body, `${winner}\n`);
});

test('the client a log uses: cosignatures checked with the vkey, typed refusals, and an unreachable witness', async () => {
  const url = await witness.listen();
  const witnessKeys = await vkeys();
  const size = log.leaves.length;
  log.append(9);
  const ok = await addCheckpoint(url, { oldSize: size, proof: log.proof(size, size + 9), checkpointNote: log.checkpoint() }, { witnessKeys });
  assert.ok(ok.ok, !ok.ok ? ok.detail : '');
  assert.equal(ok.verified.length, 1);
  const conflict = await addCheckpoint(url, { oldSize: size, proof: log.proof(size), checkpointNote: log.checkpoint() });
  assert.ok(!conflict.ok && conflict.refusal === 'CONFLICT' && conflict.knownSize === size + 9);
  const fork = log.fork(size).append(9, 'other');
  const refused = await addCheckpoint(url, { oldSize: size + 9, proof: [], checkpointNote: fork.checkpoint() });
  assert.ok(!refused.ok && refused.refusal === 'INCONSISTENT' && !refused.retriable, JSON.stringify(refused));
  const unknown = await addCheckpoint(url, { oldSize: 0, proof: [], checkpointNote: new TestLog('ies.test/nobody').append(1).checkpoint() });
  assert.ok(!unknown.ok && unknown.refusal === 'UNKNOWN_LOG');
  // A 200 whose lines are not by the expected witness key (same name, another key) is not taken.
  const impostorKey = formatCosignerKey(cosigner('ies.test/witness', generateKeyPairSync('ed25519').privateKey));
  const wrong = await addCheckpoint(url, { oldSize: size + 9, proof: [], checkpointNote: log.checkpoint() }, { witnessKeys: [impostorKey] });
  assert.ok(!wrong.ok && wrong.refusal === 'BAD_ANSWER', JSON.stringify(wrong));
  const closed = await addCheckpoint('http://127.0.0.1:9/witness', { oldSize: 0, proof: [], checkpointNote: log.checkpoint() }, { timeoutMs: 2000 });
  assert.ok(!closed.ok && closed.refusal === 'UNAVAILABLE' && closed.retriable);
});

test('key rotation: a new key put first in the key file cosigns next to the old one, without a restart', async () => {
  const file = new Ed25519KeyFile(witness.keysDir, 'witness').file;
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { keys: object[] };
  const fresh = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  writeFileSync(file, JSON.stringify({ keys: [fresh, ...doc.keys] }), { mode: 0o600 });
  const keys = await vkeys();
  assert.equal(keys.length, 2);
  const size = log.leaves.length;
  log.append(1);
  const res = await post(size, size + 1);
  assert.equal(res.statusCode, 200, res.body);
  const checked = verifyCosignatures(mergeCosignatures(log.checkpoint(), res.body), keys.map(parseCosignerKey));
  assert.ok(checked.ok && checked.cosignatures.length === 2);
});

test('the store compare-and-set: two advances from the same state, one wins; a stale one cannot roll the record back', async () => {
  const store = new WitnessStore(witness.redis);
  const origin = `ies.test/${run}/cas`;
  const at = (size: number) => ({ size, rootHash: log.root(size) });
  try {
    assert.deepEqual(await store.advance(origin, undefined, at(4), 'n4'), { ok: true });
    const [a, b] = await Promise.all([store.advance(origin, at(4), at(6), 'n6'), store.advance(origin, at(4), at(9), 'n9')]);
    assert.deepEqual([a.ok, b.ok].sort(), [false, true]);
    const won = a.ok ? 6 : 9;
    assert.equal((await store.get(origin))?.log.size, won);
    // The loser retrying its old view (a slower request judged against size 4) changes nothing.
    assert.deepEqual(await store.advance(origin, at(4), at(5), 'n5'), { ok: false, knownSize: won });
    // Same size, another root in the expected state: refused too.
    assert.equal((await store.advance(origin, { size: won, rootHash: log.root(3) }, at(12), 'n12')).ok, false);
    assert.equal((await store.get(origin))?.checkpoint, `n${won}`);
  } finally {
    await witness.redis.del(`ies:witness:${origin}`);
  }
});
