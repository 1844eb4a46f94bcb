import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kafka, Producer } from 'kafkajs';
import { METER_DATA_WRITE, TOPICS, topicName } from '@ies/contracts';
import { generateSigningKey, parseStrictJson, signDetached, type KeyPair } from '@ies/crypto';
import { ACKS_ALL, type AvroSerde } from '@ies/kafka';
import { CSV_HEADER, normaliseBatch } from '@ies/meterdata';
import { publishDocument } from '../adapters/registry-log.js';
import { parseRegistryDocument } from '../domain/model.js';
import { documentRecord, sha256Hex } from '../domain/signed-document.js';
import { RegistryState } from '../domain/state.js';
import { ingestContextFor, type MeterBatchRecord } from '../domain/verify-batch.js';

/**
 * For integration tests and benchmarks of the services downstream of the gateway (notary,
 * loader): a node operator key with its JWKS file, one head-end with a key, documents they
 * sign on registry.v1, and meter-batches.v1 records exactly as the gateway writes them
 * (signed CSV body, reads normalised against the registry).
 */
export interface FleetRead {
  meterId: string;
  blockStart: number;
  channel: 'IMPORT' | 'EXPORT';
  wh: number;
  validationStatus?: string;
}

export type GatewayBatch = MeterBatchRecord & { format: 'COMPACT_CSV'; body: Buffer; rejected: unknown[] };

export async function signedFleet(opts: { producer: Producer; serde: AvroSerde; tenant: string; headEndId?: string }) {
  const { producer, serde, tenant } = opts;
  const headEndId = opts.headEndId ?? 'HES-IT';
  const operator = await generateSigningKey();
  const headEnd = await generateSigningKey();
  const operatorJwksFile = path.join(mkdtempSync(path.join(tmpdir(), 'ies-operator-')), 'operator.jwks.json');
  writeFileSync(operatorJwksFile, JSON.stringify({ keys: [operator.publicJwk] }));
  /** What the registry holds once the documents published so far are applied. */
  const registry = new RegistryState();
  let lastIat = 0;

  /** Signs a registry document with `signer` (the operator by default) and puts it on the tenant's registry.v1. */
  async function publish(doc: Record<string, unknown>, signer: KeyPair = operator, iat?: number): Promise<void> {
    // Versions are the signature's iat in seconds: keep successive documents apart.
    const at = iat ?? Math.max(Math.floor(Date.now() / 1000), lastIat + 1);
    lastIat = Math.max(lastIat, at);
    const body = Buffer.from(JSON.stringify(doc));
    const signature = await signDetached(body, signer, { iat: at, jti: randomUUID(), htm: 'POST', htu: '/v1/registry', tenant });
    await publishDocument(producer, serde, documentRecord(tenant, { body, signature }, at));
    if (signer === operator) for (const e of parseRegistryDocument(body.toString('utf8'), at * 1000)) registry.apply(e);
  }

  /** Registers the head-end (with `keys`, its own key by default) and `meterIds` with a generous sanctioned load. */
  async function register(meterIds: readonly string[], o: { keys?: readonly (KeyPair & { status?: 'ACTIVE' | 'REVOKED' })[]; sanctionedLoadW?: number; iat?: number } = {}): Promise<void> {
    const keys = (o.keys ?? [{ ...headEnd, status: undefined }]).map((k) => ({ ...k.publicJwk, ...(k.status ? { status: k.status } : {}) }));
    await publish({
      discom: tenant,
      participants: [{ id: headEndId, role: 'HEADEND', name: 'integration-test head-end', keys }],
      meters: meterIds.map((id) => ({ id, scheme: 'METER_SERIAL', headEnd: headEndId, sanctionedLoadW: o.sanctionedLoadW ?? 100_000 })),
    }, operator, o.iat);
  }

  /**
   * The meter-batches.v1 record the gateway writes for `reads` (one CSV row each) signed by
   * `key` (the head-end's by default) with message id `jti`, accepted at `receivedAt`.
   */
  async function batch(reads: readonly FleetRead[], o: { jti?: string; receivedAt?: number; key?: KeyPair; iat?: number } = {}): Promise<GatewayBatch> {
    const jti = o.jti ?? `B-${randomUUID()}`;
    const receivedAt = o.receivedAt ?? Date.now();
    const rows = reads.map((r) => `${r.meterId},${new Date(r.blockStart).toISOString()},${r.channel === 'IMPORT' ? r.wh : ''},${r.channel === 'EXPORT' ? r.wh : ''},${r.validationStatus ?? 'VALID'}`);
    const body = Buffer.from(`${CSV_HEADER}\n${rows.join('\n')}\n`);
    const signature = await signDetached(body, o.key ?? headEnd, { iat: o.iat ?? Math.floor(receivedAt / 1000), jti, htm: METER_DATA_WRITE.method, htu: METER_DATA_WRITE.path, tenant });
    const result = normaliseBatch('COMPACT_CSV', body, ingestContextFor(registry, tenant, headEndId, receivedAt), parseStrictJson);
    return { batchId: `${headEndId}:${jti}`, discomId: tenant, headEndId, receivedAt, format: 'COMPACT_CSV', bodySha256: sha256Hex(body), signature, body, reads: result.reads, rejected: result.rejected };
  }

  /** Produces a batch record to `topicTenant`'s meter-batches.v1 (this tenant's by default). */
  async function send(record: GatewayBatch, topicTenant = tenant): Promise<void> {
    await producer.send({ topic: topicName(topicTenant, TOPICS.meterBatches), acks: ACKS_ALL, messages: [{ key: record.batchId, value: await serde.encode(topicTenant, TOPICS.meterBatches, record) }] });
  }

  return { tenant, headEndId, operator, headEnd, operatorJwksFile, registry, publish, register, batch, send };
}

export type SignedFleet = Awaited<ReturnType<typeof signedFleet>>;

/** Every committed record of the tenant's dead-letter.v1 so far, decoded, in order. */
export async function readDeadLetters(kafka: Kafka, serde: AvroSerde, tenant: string): Promise<{ sourceId: string; stage: string; code: string; message: string; context: Record<string, string> }[]> {
  const topic = topicName(tenant, TOPICS.deadLetter);
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const out: { sourceId: string; stage: string; code: string; message: string; context: Record<string, string> }[] = [];
  const remaining = new Map(ends.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high)]));
  if (remaining.size === 0) return out;
  const consumer = kafka.consumer({ groupId: `it-dead-letters-${randomUUID()}`, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
      if (BigInt(e.payload.lastOffset) + 1n >= (remaining.get(e.payload.partition) ?? 0n) || e.payload.offsetLag === '0') remaining.delete(e.payload.partition);
      if (remaining.size === 0) resolve();
    });
    consumer.run({ eachMessage: async ({ message }) => { if (message.value) out.push(await serde.decode(message.value)); } }).catch(reject);
  });
  await consumer.disconnect();
  return out;
}
