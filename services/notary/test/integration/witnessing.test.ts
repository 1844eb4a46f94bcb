// The notary pushes each tenant's checkpoints to a C2SP witness (a real witness front door of
// @ies/witness on the stack's Redis, over a loopback socket), serves them with the cosignature,
// and verifies under a 1-of-1 witness policy. A forked history shown to the witness (signed with
// the log's own key, as a compromised or two-faced node would) makes the witness refuse the
// real log's next checkpoint, and the refusal surfaces on the logging node: its witness status,
// its metric, and no newer witnessed checkpoint.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { buildHttpApp } from '@ies/http';
import { RFC6962_SHA256, consistencyProof, rootFromLeafHashes } from '@ies/merkle';
import { createLogger, createMetricsRegistry } from '@ies/observability';
import { createRedis } from '@ies/redis';
import { eventually, nullStream, stackConfig } from '@ies/testing';
import { checkpointSizeOf, formatCheckpoint, parseCosignerKey, receiptFromJws, signNote, verifyCheckpoint, verifyReceipt } from '@ies/verify';
import { addCheckpoint } from '@ies/witness/client';
import { witnessHttp } from '@ies/witness/http';
import { startNotaryService } from '../../src/index.js';
import { NotaryKeyFile } from '../../src/keys.js';
import { logOrigin } from '../../src/main.js';
import { NOTARY_WITNESS_METRICS, registerWitnessMetrics } from '../../src/http/witness-routes.js';
import { WitnessRecord, withWitnessedCheckpoint } from '../../src/witnessing.js';
import { checkpointAt, notaryFixture } from './support.js';

const quiet = createLogger({ name: 'it', level: 'silent' }, nullStream());

/** A node's witness front door (its own key) on the stack's Redis, watching the logs of `vkeys`. */
async function startWitness(name: string, keysDir: string, vkeys: readonly string[]) {
  const config = stackConfig({ IES_WITNESS_LOGS: vkeys.join(','), IES_WITNESS_KEYS_DIR: keysDir, IES_WITNESS_NAME: name });
  const redis = createRedis(config, { failFast: true });
  const app = buildHttpApp({ logger: quiet, metrics: createMetricsRegistry(`witness-${name}`), readiness: [] });
  await app.register(witnessHttp({ config, redis, metrics: createMetricsRegistry(`witness-door-${name}`), now: Date.now }).plugin);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/witness`;
  const vkey = (await (await fetch(`${url}/vkey`)).text()).trim();
  return { name, url, vkey, close: async (origins: readonly string[]) => { await app.close(); await redis.del(...origins.map((o) => `ies:witness:${o}`)); redis.disconnect(); } };
}

// Two nodes: A hosts one log, B another; each node's witness watches the other's log, and
// each notary pushes to the other node's witness. The logs' keys exist before the witnesses
// are configured to watch them (as operators hand each other their vkeys).
const fx = await notaryFixture();
const fxB = await notaryFixture();
const origin = logOrigin(stackConfig(fx.env, 'notary'), fx.tenant);
const originB = logOrigin(stackConfig(fxB.env, 'notary'), fxB.tenant);
const logKeys = await new NotaryKeyFile(fx.keysDir, origin, fx.tenant).current();
const logKeysB = await new NotaryKeyFile(fxB.keysDir, originB, fxB.tenant).current();
const tag = randomBytes(4).toString('hex');
const witnessOfB = await startWitness(`node-b-${tag}.ies.test/witness`, `${fxB.keysDir}/witness`, [logKeys.verifierKeys[0]!]);
const witnessOfA = await startWitness(`node-a-${tag}.ies.test/witness`, `${fx.keysDir}/witness`, [logKeysB.verifierKeys[0]!]);
const { url: witnessUrl, vkey: witnessVkey, name: witnessName } = witnessOfB;
const policy = { witnesses: [{ name: witnessName, url: witnessUrl, vkey: witnessVkey }], quorum: 1 };

const notary = await startNotaryService({ ...fx.env, IES_NOTARY_WITNESSES: JSON.stringify([{ url: witnessOfB.url, vkey: witnessOfB.vkey }]) }, { onFatal: () => {}, logger: quiet });
const notaryB = await startNotaryService({ ...fxB.env, IES_NOTARY_WITNESSES: JSON.stringify([{ url: witnessOfA.url, vkey: witnessOfA.vkey }]) }, { onFatal: () => {}, logger: quiet });
const record = new WitnessRecord(fx.redis, fx.tenant);
const recordB = new WitnessRecord(fxB.redis, fxB.tenant);
after(async () => {
  await notary.stop();
  await notaryB.stop();
  await witnessOfB.close([origin]);
  await witnessOfA.close([originB]);
  await fx.close();
  await fxB.close();
});

const witnessedAt = (size: number) => eventually(async () => {
  const note = await record.witnessed();
  return note && checkpointSizeOf(note) === size ? note : undefined;
}, 30_000, `a witnessed checkpoint of size ${size}`);

test('two nodes witness each other: the checkpoints of each log are cosigned by the other node and verify under a 1-of-1 policy', async () => {
  for (let i = 0; i < 2; i++) await fxB.produceBatch();
  await checkpointAt(fxB, 2, "node B's log at size 2");
  const noteB = await eventually(async () => {
    const n = await recordB.witnessed();
    return n && checkpointSizeOf(n) === 2 ? n : undefined;
  }, 30_000, "node B's log witnessed by node A");
  const verifiedB = verifyCheckpoint(noteB, { ...(await fxB.trust()), origin: originB, witnesses: { keys: [parseCosignerKey(witnessOfA.vkey)], quorum: 1 } });
  assert.ok(verifiedB.ok, JSON.stringify(verifiedB));
  assert.deepEqual(verifiedB.witnessedBy, [witnessOfA.name]);

  const batches: string[] = [];
  for (let i = 0; i < 3; i++) batches.push(await fx.produceBatch());
  await checkpointAt(fx, 3, 'the log at size 3');
  const note = await witnessedAt(3);
  const trust = { ...(await fx.trust()), origin, witnesses: { keys: [parseCosignerKey(witnessVkey)], quorum: 1 } };
  const verified = verifyCheckpoint(note, trust);
  assert.ok(verified.ok, JSON.stringify(verified));
  assert.deepEqual(verified.witnessedBy, [witnessName]);
  // The checkpoint without the cosignature is refused by that policy.
  const bare = verifyCheckpoint(note.split('\n').filter((l) => !l.startsWith(`— ${witnessName} `)).join('\n'), trust);
  assert.equal(!bare.ok && bare.code, 'NOT_WITNESSED');
  const [status] = await record.statuses();
  assert.equal(status?.witness, witnessName);
  assert.equal(status?.cosignedSize, 3);
  assert.deepEqual(status?.refusals, {});

  // Receipts were signed at append time, before any witness saw their checkpoints: under the
  // policy each goes out with the witnessed checkpoint and the proof that it extends its own.
  for (const batchId of batches) {
    const receipt = receiptFromJws((await fx.store.receipt(batchId))!);
    assert.equal(receipt.witnessed, undefined);
    const bare = await verifyReceipt(receipt, trust);
    assert.equal(!bare.ok && bare.code, 'NOT_WITNESSED', `the receipt of ${batchId} alone is not witnessed`);
    const cited = await withWitnessedCheckpoint(policy, record, fx.store, receipt);
    assert.equal(checkpointSizeOf(cited.witnessed!.checkpoint), 3);
    const r = await verifyReceipt(cited, trust);
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.witnessedBy, [witnessName]);
    // A tampered proof does not pass for a witnessed extension.
    if (cited.witnessed!.consistency.length > 0) {
      const tampered = { ...cited, witnessed: { ...cited.witnessed!, consistency: [Buffer.alloc(32, 7).toString('base64'), ...cited.witnessed!.consistency.slice(1)] } };
      const t = await verifyReceipt(tampered, trust);
      assert.equal(!t.ok && t.code, 'INCONSISTENT');
    }
  }
});

test('a fork shown to the witness is caught: the real log is refused, and the logging node raises it', async () => {
  // The two-faced log: the same first 3 entries, then an entry the real log never had, signed
  // with the log's own key and proven consistent with what the witness holds.
  const leaves = await fx.store.nodes([0, 1, 2].map((index) => ({ level: 0, index })));
  const forkLeaves = [...leaves, RFC6962_SHA256.hashLeaf(Buffer.from('an entry the real log does not have'))];
  const forkNote = signNote(formatCheckpoint({ origin, size: 4, rootHash: rootFromLeafHashes(RFC6962_SHA256, forkLeaves), extensions: [] }), logKeys.signer);
  const fork = await addCheckpoint(witnessUrl, { oldSize: 3, proof: consistencyProof(RFC6962_SHA256, forkLeaves, 3, 4), checkpointNote: forkNote }, { witnessKeys: [witnessVkey] });
  assert.ok(fork.ok, JSON.stringify(fork));

  // The real log grows to 4 and 5: the witness must refuse both as inconsistent with the fork.
  await fx.produceBatch();
  await checkpointAt(fx, 4, 'the real log at size 4');
  const lateBatch = await fx.produceBatch();
  await checkpointAt(fx, 5, 'the real log at size 5');
  const status = await eventually(async () => {
    const [s] = await record.statuses();
    return s?.refusals.INCONSISTENT ? s : undefined;
  }, 30_000, 'an INCONSISTENT refusal recorded by the logging node');
  assert.equal(status.cosignedSize, 3, 'nothing after the fork was cosigned');
  assert.equal(status.lastRefusal?.code, 'INCONSISTENT');
  assert.equal(checkpointSizeOf((await record.witnessed())!), 3, 'the witnessed checkpoint stays at the last size the witness could vouch for');
  // And a receipt of an entry after the fork never gets a witnessed checkpoint.
  const late = receiptFromJws((await fx.store.receipt(lateBatch))!);
  const cited = await withWitnessedCheckpoint(policy, record, fx.store, late);
  assert.equal(cited.witnessed, undefined);
  const v = await verifyReceipt(cited, { ...(await fx.trust()), origin, witnesses: { keys: [parseCosignerKey(witnessVkey)], quorum: 1 } });
  assert.equal(!v.ok && v.code, 'NOT_WITNESSED');

  const metrics = createMetricsRegistry('notary-it');
  registerWitnessMetrics(metrics, [fx.tenant], (d) => new WitnessRecord(fx.redis, d));
  const text = await metrics.getSingleMetricAsString(NOTARY_WITNESS_METRICS.refusals);
  assert.match(text, new RegExp(`${NOTARY_WITNESS_METRICS.refusals}\\{discom="${fx.tenant}",witness="${witnessName.replace(/\./g, '\\.')}",code="INCONSISTENT"[^}]*\\} [1-9]`));
});
