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
import { checkpointSizeOf, formatCheckpoint, parseCosignerKey, signNote, verifyCheckpoint } from '@ies/verify';
import { addCheckpoint } from '@ies/witness/client';
import { witnessHttp } from '@ies/witness/http';
import { startNotaryService } from '../../src/index.js';
import { NotaryKeyFile } from '../../src/keys.js';
import { logOrigin } from '../../src/main.js';
import { NOTARY_WITNESS_METRICS, registerWitnessMetrics } from '../../src/http/witness-routes.js';
import { WitnessRecord } from '../../src/witnessing.js';
import { checkpointAt, notaryFixture } from './support.js';

const fx = await notaryFixture();
const quiet = createLogger({ name: 'it', level: 'silent' }, nullStream());
const origin = logOrigin(stackConfig(fx.env, 'notary'), fx.tenant);
// The log's keys exist before the witness is configured to watch it (as an operator would hand over the vkey).
const logKeys = await new NotaryKeyFile(fx.keysDir, origin, fx.tenant).current();

// The peer node's witness: its own key, watching this log.
const witnessName = `peer-${randomBytes(4).toString('hex')}.ies.test/witness`;
const witnessConfig = stackConfig({ IES_WITNESS_LOGS: logKeys.verifierKeys[0]!, IES_WITNESS_KEYS_DIR: `${fx.keysDir}/witness`, IES_WITNESS_NAME: witnessName });
const witnessRedis = createRedis(witnessConfig, { failFast: true });
const witnessApp = buildHttpApp({ logger: quiet, metrics: createMetricsRegistry('witness-it'), readiness: [] });
const witnessDoor = witnessHttp({ config: witnessConfig, redis: witnessRedis, metrics: createMetricsRegistry('witness-it-2'), now: Date.now });
await witnessApp.register(witnessDoor.plugin);
await witnessApp.listen({ host: '127.0.0.1', port: 0 });
const witnessUrl = `http://127.0.0.1:${(witnessApp.server.address() as AddressInfo).port}/witness`;
const witnessVkey = (await (await fetch(`${witnessUrl}/vkey`)).text()).trim();

const notary = await startNotaryService({ ...fx.env, IES_NOTARY_WITNESSES: JSON.stringify([{ url: witnessUrl, vkey: witnessVkey }]) }, { onFatal: () => {}, logger: quiet });
const record = new WitnessRecord(fx.redis, fx.tenant);
after(async () => {
  await notary.stop();
  await witnessApp.close();
  await witnessRedis.del(`ies:witness:${origin}`);
  witnessRedis.disconnect();
  await fx.close();
});

const witnessedAt = (size: number) => eventually(async () => {
  const note = await record.witnessed();
  return note && checkpointSizeOf(note) === size ? note : undefined;
}, 30_000, `a witnessed checkpoint of size ${size}`);

test('each new checkpoint is cosigned by the witness and verifies under a 1-of-1 witness policy', async () => {
  for (let i = 0; i < 3; i++) await fx.produceBatch();
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
  await fx.produceBatch();
  await checkpointAt(fx, 5, 'the real log at size 5');
  const status = await eventually(async () => {
    const [s] = await record.statuses();
    return s?.refusals.INCONSISTENT ? s : undefined;
  }, 30_000, 'an INCONSISTENT refusal recorded by the logging node');
  assert.equal(status.cosignedSize, 3, 'nothing after the fork was cosigned');
  assert.equal(status.lastRefusal?.code, 'INCONSISTENT');
  assert.equal(checkpointSizeOf((await record.witnessed())!), 3, 'the witnessed checkpoint stays at the last size the witness could vouch for');

  const metrics = createMetricsRegistry('notary-it');
  registerWitnessMetrics(metrics, [fx.tenant], (d) => new WitnessRecord(fx.redis, d));
  const text = await metrics.getSingleMetricAsString(NOTARY_WITNESS_METRICS.refusals);
  assert.match(text, new RegExp(`${NOTARY_WITNESS_METRICS.refusals}\\{discom="${fx.tenant}",witness="${witnessName.replace(/\./g, '\\.')}",code="INCONSISTENT"[^}]*\\} [1-9]`));
});
