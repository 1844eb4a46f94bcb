import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kafka, Producer } from 'kafkajs';
import { TOPICS, topicName } from '@ies/contracts';
import { AvroSerde, createIdempotentProducer, createKafka, provisionTenant } from '@ies/kafka';
import { RFC6962_SHA256, consistencyProofFromNodes } from '@ies/merkle';
import { createLogger } from '@ies/observability';
import { createRedis, type Redis } from '@ies/redis';
import { signedFleet, type GatewayBatch } from '@ies/registry/testing';
import { after } from 'node:test';
import { eventually, nullStream, stackConfig, uniqueTenant } from '@ies/testing';
import type { JWK } from 'jose';
import { startNotaryService } from '../../src/index.js';
import { LogStore } from '../../src/log-store.js';
import { checkpointSizeOf, parseVerifierKey, type TrustAnchors } from '@ies/verify';

/**
 * A fresh tenant with its topics and ACLs, a registry holding one signed head-end and its
 * meters, a producer of meter-batches records exactly as the gateway writes them, and its log
 * store. The fixture acts as the Kafka admin (it provisions and plays the gateway and the
 * node operator); the notary under test runs as its own Kafka user (startNotaryService).
 */
export async function notaryFixture() {
  const tenant = uniqueTenant('NT');
  const keysDir = mkdtempSync(path.join(tmpdir(), 'ies-notary-'));
  const config = stackConfig({ IES_TENANTS: tenant }, 'admin');
  const kafka: Kafka = createKafka(config, createLogger({ name: 'it', level: 'silent' }, nullStream()));
  const admin = kafka.admin();
  await admin.connect();
  await provisionTenant(admin, tenant, { replicationFactor: config.kafka.replicationFactor, nodeId: config.nodeId });
  const serde = new AvroSerde({ registryUrl: config.registry.url });
  const producer: Producer = createIdempotentProducer(kafka);
  await producer.connect();
  const redis: Redis = createRedis(config);
  const store = new LogStore(redis, tenant);
  const fleet = await signedFleet({ producer, serde, tenant, headEndId: 'HE-1' });
  await fleet.register(Array.from({ length: 16 }, (_, i) => `SM-${i}`));
  const env = { ...process.env, IES_TENANTS: tenant, IES_NOTARY_KEYS_DIR: keysDir, IES_OPERATOR_JWKS_FILE: fleet.operatorJwksFile, IES_LOG_LEVEL: 'warn' };
  const sent = new Map<string, GatewayBatch>();

  /** A genuine batch of `reads` reads (a batch id already produced: the same record again, as an upstream retry would). */
  async function genuineBatch(opts: { batchId?: string; reads?: number } = {}): Promise<GatewayBatch> {
    const again = opts.batchId === undefined ? undefined : sent.get(opts.batchId);
    if (again) return again;
    const blockStart = Date.UTC(2026, 10, 19, 18, 30);
    const reads = Array.from({ length: opts.reads ?? 3 }, (_, i) => ({ meterId: `SM-${i}`, blockStart: blockStart + 900_000 * (i % 96), channel: 'IMPORT' as const, wh: 100 + i }));
    const record = await fleet.batch(reads, opts.batchId === undefined ? {} : { jti: opts.batchId.replace(/^HE-1:/, '') });
    sent.set(record.batchId, record);
    return record;
  }

  async function produceBatch(opts: { batchId?: string; reads?: number } = {}): Promise<string> {
    const record = await genuineBatch(opts);
    await fleet.send(record);
    return record.batchId;
  }

  /** Produces any meter-batches.v1 value with a plain client, as anyone holding a Kafka principal could. */
  async function produceRecord(record: GatewayBatch, topicTenant = tenant): Promise<void> {
    await producer.send({ topic: topicName(topicTenant, TOPICS.meterBatches), messages: [{ key: record.batchId, value: await serde.encode(topicTenant, TOPICS.meterBatches, record) }] });
  }

  async function trust(): Promise<TrustAnchors> {
    const keys = await store.keys();
    if (!keys) throw new Error('the notary has not published its keys');
    return { noteKeys: keys.verifierKeys.map((k) => parseVerifierKey(k)), jwks: keys.jwks as JWK[] };
  }

  async function consistency(first: string, second: string): Promise<string[]> {
    const proof = await consistencyProofFromNodes(RFC6962_SHA256, checkpointSizeOf(first), checkpointSizeOf(second), (ids) => store.nodes(ids));
    return proof.map((h) => Buffer.from(h).toString('base64'));
  }

  /** Every receipts.v1 record a read_committed consumer sees, in order. */
  async function committedReceipts(): Promise<{ batchId: string; logIndex: number; checkpoint: string }[]> {
    const [{ high } = { high: '0' }] = await admin.fetchTopicOffsets(topicName(tenant, TOPICS.receipts));
    const out: { batchId: string; logIndex: number; checkpoint: string }[] = [];
    if (high === '0') return out;
    const consumer = kafka.consumer({ groupId: `it-${randomUUID()}`, readUncommitted: false });
    await consumer.connect();
    await consumer.subscribe({ topic: topicName(tenant, TOPICS.receipts), fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
        if (e.payload.offsetLag === '0') resolve();
      });
      consumer.run({ eachMessage: async ({ message }) => { out.push(await serde.decode(message.value as Buffer)); } }).catch(reject);
    });
    await consumer.disconnect();
    return out;
  }

  return {
    tenant, env, keysDir, kafka, serde, producer, store, redis, fleet, genuineBatch, produceBatch, produceRecord, trust, consistency, committedReceipts,
    async close() {
      await producer.disconnect();
      await admin.disconnect();
      redis.disconnect();
    },
  };
}

export { checkpointSizeOf as checkpointSize } from '@ies/verify';

/** A fixture with the notary service running in-process for its tenant, stopped after the file; fatal errors are collected, not exited on. */
export async function runningNotary() {
  const fx = await notaryFixture();
  const fatal: Error[] = [];
  const service = await startNotaryService(fx.env, { onFatal: (e) => fatal.push(e), logger: createLogger({ name: 'it', level: 'silent' }, nullStream()) });
  after(async () => {
    await service.stop();
    await fx.close();
  });
  return { fx, fatal, service };
}

/** The tenant's latest checkpoint once the log has reached `size` entries. */
export function checkpointAt(fx: Awaited<ReturnType<typeof notaryFixture>>, size: number, what: string, timeoutMs = 30_000): Promise<string> {
  return eventually<string>(async () => {
    const cp = await fx.store.checkpoint();
    return cp && checkpointSizeOf(cp) === size ? cp : undefined;
  }, timeoutMs, what);
}
