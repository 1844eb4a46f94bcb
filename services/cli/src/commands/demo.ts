import { createHash, randomUUID } from 'node:crypto';
import { loadConfig } from '@ies/config';
import { TOPICS, topicName } from '@ies/contracts';
import { generateSigningKey, signDetached, verifyDetached } from '@ies/crypto';
import { ACKS_ALL, AvroSerde, createIdempotentProducer, createKafka, ensureTenantTopics } from '@ies/kafka';
import { createLogger } from '@ies/observability';
import { sampleBatch } from './sample-batch.js';

type Env = Readonly<Record<string, string | undefined>>;

interface BatchRecord {
  batchId: string;
  discomId: string;
  headEndId: string;
  receivedAt: number;
  format: 'COMPACT_CSV';
  bodySha256: string;
  signature: string;
  body: Buffer;
  reads: { meterId: string; blockStart: number; channel: 'IMPORT' | 'EXPORT'; wh: number; validationStatus: string; source: string }[];
}

const step = (n: number, text: string) => console.log(`\n[${n}] ${text}`);
const ms = (t0: number) => `${(performance.now() - t0).toFixed(0)} ms`;

/**
 * End to end through the real stack: a head-end signs a batch of 15-minute reads, the
 * signature is checked against its registered key, the normalised batch is written to
 * Kafka as registry-framed Avro (acks=all, idempotent), read back by a consumer, and
 * re-verified from the record alone.
 */
export async function runDemo(_args: readonly string[], env: Env): Promise<number> {
  const config = loadConfig(env);
  // kafkajs logs transient, retried conditions (a new topic's leader not yet known) as
  // errors; the demo reports every real failure itself, so client logs are opt-in.
  const log = createLogger({ name: 'ies-demo', level: env.IES_LOG_LEVEL === undefined ? 'fatal' : config.logLevel });
  const discom = env.IES_DEMO_DISCOM ?? 'DEMO-DL';
  const headEndId = 'DEMO-HES-01';
  const t0 = performance.now();
  console.log(`ies-backbone demo: tenant ${discom}, Kafka ${config.kafka.brokers.join(',')}, registry ${config.registry.url}`);

  const kafka = createKafka(config, log);
  const admin = kafka.admin();
  await admin.connect();
  const topics = await ensureTenantTopics(admin, discom, config.kafka.replicationFactor);
  await admin.disconnect();
  step(1, `tenant topics: ${topics.created.length} created, ${topics.existing.length} already there (ies.${discom}.*)`);

  const key = await generateSigningKey('EdDSA');
  const registered = new Map([[key.kid, key.publicJwk]]);
  step(2, `head-end ${headEndId} key registered: Ed25519, kid ${key.kid}`);

  const { reads, csv } = sampleBatch('2026-11-20', 4, 4);
  const body = Buffer.from(csv, 'utf8');
  const batchId = `DEMO-${randomUUID()}`;
  const signature = await signDetached(body, key, { iat: Math.floor(Date.now() / 1000), jti: batchId });
  step(3, `batch ${batchId}: ${reads.length} meter-blocks as compact CSV (${body.length} bytes), detached JWS ${signature.slice(0, 24)}…`);

  const header = await verifyDetached(body, signature, (kid) => registered.get(kid));
  const record: BatchRecord = {
    batchId,
    discomId: discom,
    headEndId,
    receivedAt: Date.now(),
    format: 'COMPACT_CSV',
    bodySha256: createHash('sha256').update(body).digest('hex'),
    signature,
    body,
    reads: reads.flatMap((r) => [
      { meterId: r.meterId, blockStart: r.blockStart, channel: 'IMPORT' as const, wh: r.importWh, validationStatus: r.status, source: 'METER' },
      { meterId: r.meterId, blockStart: r.blockStart, channel: 'EXPORT' as const, wh: r.exportWh, validationStatus: r.status, source: 'METER' },
    ]),
  };
  step(4, `signature verified (alg ${header.alg}, jti ${header.jti}); normalised to ${record.reads.length} reads (import and export channels, integer Wh)`);

  const serde = new AvroSerde({ registryUrl: config.registry.url });
  const schemaId = await serde.registerTopic(discom, TOPICS.meterBatches);
  const value = await serde.encode(discom, TOPICS.meterBatches, record);
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  const topic = topicName(discom, TOPICS.meterBatches);
  const tProduce = performance.now();
  const [ack] = await producer.send({ topic, acks: ACKS_ALL, messages: [{ key: batchId, value }] });
  await producer.disconnect();
  step(5, `produced to ${topic} partition ${ack?.partition} offset ${ack?.baseOffset}: Avro ${value.length} bytes, schema id ${schemaId}, acks=all in ${ms(tProduce)}`);

  const consumer = kafka.consumer({ groupId: `ies-demo-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got = await new Promise<BatchRecord>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`batch ${batchId} not consumed within 30 s`)), 30_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() !== batchId || !message.value) return;
        clearTimeout(timer);
        resolve(await serde.decode<BatchRecord>(message.value));
      },
    });
  });
  await consumer.disconnect();

  const bodyOk = createHash('sha256').update(got.body).digest('hex') === got.bodySha256;
  await verifyDetached(got.body, got.signature, (kid) => registered.get(kid));
  const same = JSON.stringify(got.reads) === JSON.stringify(record.reads);
  step(6, `consumed back: ${got.reads.length} reads; body hash ${bodyOk ? 'matches' : 'DIFFERS'}; head-end signature re-verified from the record alone; reads ${same ? 'identical' : 'DIFFER'}`);

  console.log('\n  meter            blocks  import Wh  export Wh  estimated');
  const byMeter = new Map<string, { blocks: Set<number>; imp: number; exp: number; est: number }>();
  for (const r of got.reads) {
    const m = byMeter.get(r.meterId) ?? { blocks: new Set<number>(), imp: 0, exp: 0, est: 0 };
    m.blocks.add(r.blockStart);
    if (r.channel === 'IMPORT') m.imp += r.wh;
    else m.exp += r.wh;
    if (r.validationStatus === 'ESTIMATED' && r.channel === 'IMPORT') m.est += 1;
    byMeter.set(r.meterId, m);
  }
  for (const [meter, m] of byMeter) {
    console.log(`  ${meter.padEnd(16)} ${String(m.blocks.size).padStart(6)} ${String(m.imp).padStart(10)} ${String(m.exp).padStart(10)} ${String(m.est).padStart(10)}`);
  }
  const ok = bodyOk && same;
  console.log(`\n${ok ? 'OK' : 'FAILED'}: ${got.reads.length} signed reads went head-end → Kafka (Avro via registry) → consumer in ${ms(t0)}`);
  return ok ? 0 : 1;
}
