// The auditor against the real stack: a seeded workload of genuine batch records (signed by a
// registered head-end, as the gateway writes them) through a real notary and loader for a
// unique tenant, then `audit` holds; then two deliberately broken builds, each made by hand
// with the powers such a bug would have: the loader writing a read again under another
// version and a batch produced twice, and the notary appending a receipt twice.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createClickHouse, sql } from '@ies/clickhouse';
import { TOPICS, topicName } from '@ies/contracts';
import { AvroSerde, createIdempotentProducer, createKafka, provisionTenant } from '@ies/kafka';
import { startFanout } from '@ies/fanout';
import { startLoaderService } from '@ies/loader';
import { startNotaryService } from '@ies/notary';
import { LogStore } from '@ies/notary/log';
import { createLogger } from '@ies/observability';
import { storedReadVersions } from '@ies/reads';
import { createRedis } from '@ies/redis';
import { signedFleet, type GatewayBatch } from '@ies/registry/testing';
import { eventually, nullStream, stackConfig, uniqueTenant } from '@ies/testing';
import { checkpointSizeOf } from '@ies/verify';
import { audit, renderAuditTable, type AckLedgerEntry, type AuditReport } from '../../src/index.js';
import { readTopic } from '../../src/topic-reader.js';

const tenant = uniqueTenant('AU');
const database = `it_audit_${randomBytes(4).toString('hex')}`;
const overrides = { IES_TENANTS: tenant, IES_CLICKHOUSE_DATABASE: database };
const config = stackConfig(overrides, 'admin');
const silent = createLogger({ name: 'it', level: 'silent' }, nullStream());
const kafka = createKafka(config, silent);
const admin = kafka.admin();
const producer = createIdempotentProducer(kafka);
const serde = new AvroSerde({ registryUrl: config.registry.url });
const ch = createClickHouse(config, { database });
const redis = createRedis(config);
const DAY = '2026-11-21';
const RECEIVED = Date.UTC(2026, 10, 21, 4, 0); // 09:30 IST on DAY
const BLOCK = Date.UTC(2026, 10, 20, 18, 30);
const ledger: AckLedgerEntry[] = [];
const sent: GatewayBatch[] = [];
const stops: (() => Promise<void>)[] = [];

before(async () => {
  await admin.connect();
  await provisionTenant(admin, tenant, { replicationFactor: config.kafka.replicationFactor, nodeId: config.nodeId });
  await producer.connect();
  const fleet = await signedFleet({ producer, serde, tenant, headEndId: 'HE-AU' });
  const meters = Array.from({ length: 4 }, (_, i) => `AU-${i}`);
  await fleet.register(meters);
  // The seeded workload: 6 batches, each a block of every meter on both channels.
  for (let b = 0; b < 6; b++) {
    const reads = meters.flatMap((m, i) => [
      { meterId: m, blockStart: BLOCK + b * 900_000, channel: 'IMPORT' as const, wh: 100 + 10 * b + i },
      { meterId: m, blockStart: BLOCK + b * 900_000, channel: 'EXPORT' as const, wh: i },
    ]);
    // One bad read in the first batch: the gateway rejects it (negative energy), fan-out dead-letters it.
    const bad = b === 0 ? [{ meterId: 'AU-0', blockStart: BLOCK + 8 * 900_000, channel: 'IMPORT' as const, wh: -5 }] : [];
    // The last batch arrives after the day ended (01:30 IST next day): its reads are still the day's.
    const receivedAt = b === 5 ? Date.UTC(2026, 10, 21, 20, 0) : RECEIVED + b * 1000;
    const record = await fleet.batch([...reads, ...bad], { jti: `AU-${b}`, receivedAt });
    await fleet.send(record);
    sent.push(record);
    ledger.push({ kind: 'batch', discomId: tenant, batchId: record.batchId, bodySha256: record.bodySha256, at: record.receivedAt });
  }
  const env = { ...process.env, ...overrides, IES_NOTARY_KEYS_DIR: mkdtempSync(path.join(tmpdir(), 'ies-audit-notary-')), IES_OPERATOR_JWKS_FILE: fleet.operatorJwksFile, IES_LOG_LEVEL: 'silent' };
  const notary = await startNotaryService(env, { logger: silent });
  stops.push(() => notary.stop());
  const loader = await startLoaderService(env, { groupId: `ies-loader-${tenant}`, maxDelayMs: 200 });
  stops.push(() => loader.stop());
  // Fan-out as its own Kafka user, in a group and transactional id of this tenant alone.
  const fanoutKafka = createKafka(stackConfig(overrides, 'fanout'), silent);
  const fanout = await startFanout(fanoutKafka, serde, [tenant], { groupId: `ies-fanout-${tenant}`, transactionalId: `${config.nodeId}-fanout-${tenant}` });
  stops.push(async () => {
    await fanout.consumer.disconnect();
    await fanout.producer.disconnect();
  });
  const log = new LogStore(redis, tenant);
  await eventually(async () => {
    const cp = await log.checkpoint();
    return cp !== undefined && checkpointSizeOf(cp) === sent.length ? true : undefined;
  }, 60_000, 'every batch notarised');
  await eventually(async () => ((await storedReadVersions(ch, tenant, RECEIVED - 86_400_000, RECEIVED + 86_400_000)).length === 6 * 8 ? true : undefined), 60_000, 'every read loaded');
  await eventually(async () => ((await readTopic(kafka, serde, topicName(tenant, TOPICS.receipts))).records.length === sent.length ? true : undefined), 30_000, 'every receipt committed');
  await eventually(async () => ((await readTopic(kafka, serde, topicName(tenant, TOPICS.deadLetter))).records.length >= 1 ? true : undefined), 30_000, 'the bad read dead-lettered');
});

after(async () => {
  for (const stop of stops.reverse()) await stop();
  await producer.disconnect();
  await admin.disconnect();
  redis.disconnect();
  await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await ch.close();
});

/** `ies audit` as a user runs it: the built CLI in its own process, the ledger in a JSONL file. */
function cli(): Promise<{ code: number; stdout: string }> {
  const acks = path.join(mkdtempSync(path.join(tmpdir(), 'ies-audit-acks-')), 'acks.jsonl');
  writeFileSync(acks, ledger.map((e) => JSON.stringify(e)).join('\n'));
  const bin = fileURLToPath(new URL('../../../../cli/dist/src/bin.js', import.meta.url));
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, 'audit', '--discom', tenant, '--day', DAY, '--acks', acks], { env: { ...process.env, ...overrides, IES_LOG_LEVEL: 'silent' } }, (err, stdout) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout });
    });
  });
}

const run = () => audit({ config, discomId: tenant, day: DAY, ackLedger: ledger, logger: silent });
const failuresOf = (report: AuditReport, id: string) => report.invariants.find((i) => i.id === id)!.failures;

test('a clean run: every invariant holds, with the counts of what was checked', async () => {
  const report = await run();
  assert.ok(report.ok, renderAuditTable([report]));
  const checked = Object.fromEntries(report.invariants.map((i) => [i.id, i.checked]));
  assert.equal(checked.I1, 12); // 6 acks + 6 batch records
  assert.equal(checked.I2, 48 + 1); // 6 batches × 4 meters × 2 channels, and the rejected read
  assert.equal(sent[0]!.rejected.length, 1);
  assert.ok(checked.I3! >= 13, `I3 checked ${checked.I3}`); // 6 receipts + 6 batches + ≥ 1 checkpoint
  const { code, stdout } = await cli();
  assert.equal(code, 0, stdout);
  assert.ok(stdout.startsWith('discom '), stdout); // the table alone: logs go to stderr
  assert.match(stdout, /I1 acked batches on meter-batches\.v1 exactly once\s+12\s+0\s+HOLDS/);
});

test('a broken loader (a read written again under another version) and a batch produced twice fail, naming the records', async () => {
  const victim = sent[2]!;
  await ch.command({
    query: 'INSERT INTO reads SELECT discom_id, meter_id, block_start, channel, wh, validation_status, source,'
      + ` concat(batch_id, '-again'), index_in_batch, head_end_id, received_at_ms FROM reads`
      + sql` WHERE discom_id = ${tenant} AND batch_id = ${victim.batchId} AND meter_id = 'AU-1' AND channel = 'IMPORT'`,
  });
  await producer.send({ topic: topicName(tenant, TOPICS.meterBatches), messages: [{ key: sent[4]!.batchId, value: await serde.encode(tenant, TOPICS.meterBatches, sent[4]) }] });
  const report = await run();
  assert.equal(report.ok, false);
  const reads = failuresOf(report, 'I2');
  assert.deepEqual(reads.map((f) => f.record), [`read AU-1 ${new Date(BLOCK + 2 * 900_000).toISOString()} IMPORT of batch ${victim.batchId}-again`], renderAuditTable([report]));
  const batches = failuresOf(report, 'I1');
  assert.deepEqual(batches.map((f) => f.record), [`batch ${sent[4]!.batchId}`], renderAuditTable([report]));
  assert.match(batches[0]!.problem, /on meter-batches\.v1 2 times/);
  const { code, stdout } = await cli();
  assert.equal(code, 1, stdout);
  assert.ok(stdout.includes(`I1: batch ${sent[4]!.batchId}: on meter-batches.v1 2 times`), stdout);
});

test('a broken notary (a receipt appended twice) fails invariant 3, naming the receipt and where it sits', async () => {
  const receiptsTopic = topicName(tenant, TOPICS.receipts);
  const { records } = await readTopic<Record<string, unknown>>(kafka, serde, receiptsTopic);
  // Produced as the notary's own Kafka user: the ACLs let it, so only the auditor can tell.
  const notaryKafka = createKafka(stackConfig(overrides, 'notary'), silent);
  const notaryProducer = createIdempotentProducer(notaryKafka);
  await notaryProducer.connect();
  try {
    await notaryProducer.send({ topic: receiptsTopic, messages: [{ key: String(records[3]!.value.batchId), value: await serde.encode(tenant, TOPICS.receipts, records[3]!.value) }] });
  } finally {
    await notaryProducer.disconnect();
  }
  const report = await run();
  const log = failuresOf(report, 'I3');
  assert.equal(log.length, 1, renderAuditTable([report]));
  assert.match(log[0]!.record, new RegExp(`^receipt of batch ${String(records[3]!.value.batchId)} at ${receiptsTopic.replaceAll('.', '\\.')}/0/\\d+$`));
  assert.match(log[0]!.problem, /log index 3 where the log rebuilt from receipts\.v1 has 6 entries/);
});
