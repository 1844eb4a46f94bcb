import { createHash } from 'node:crypto';
import type { Producer } from 'kafkajs';
import type { Config } from '@ies/config';
import { METER_DATA_WRITE, TOPICS, topicName } from '@ies/contracts';
import { signDetached, type KeyPair } from '@ies/crypto';
import { ACKS_ALL, AvroSerde, createIdempotentProducer, createKafka } from '@ies/kafka';
import { bearer } from './actors.js';
import type { ClientStats } from './client.js';
import { sleep } from './processes.js';

const quiet = { error() {}, warn() {}, info() {}, debug() {} };

/**
 * A head-end that produces its signed envelopes straight to `headend-submissions.v1`
 * (docs/ingest.md §3) instead of posting them: a send is retried (same jti, signed afresh)
 * until the brokers acknowledge it with acks=all, and the batch's outcome is then read from
 * its receipt, as a Kafka head-end learns it. Produces as the campaign's operator principal:
 * head-ends have no Kafka users of their own yet.
 */
export class KafkaHeadEnd {
  private constructor(private readonly producer: Producer, private readonly serde: AvroSerde, private readonly nodeId: string) {}

  static async open(config: Config): Promise<KafkaHeadEnd> {
    const producer = createIdempotentProducer(createKafka(config, quiet));
    await producer.connect();
    return new KafkaHeadEnd(producer, new AvroSerde({ registryUrl: config.registry.url }), config.nodeId);
  }

  /** Sends until acknowledged; false when the deadline came first. */
  async submit(b: { discomId: string; headEndId: string; jti: string; body: Buffer }, key: KeyPair, deadline: number, stats: ClientStats): Promise<boolean> {
    for (let attempt = 0; ; attempt += 1) {
      if (attempt > 0) stats.retries += 1;
      stats.kafkaSends += 1;
      try {
        const signature = await signDetached(b.body, key, { iat: Math.floor(Date.now() / 1000), jti: b.jti, htm: 'POST', htu: METER_DATA_WRITE.path, tenant: b.discomId });
        const value = await this.serde.encode(b.discomId, TOPICS.headendSubmissions, { contentType: 'text/csv', signature, body: b.body, tenant: null });
        await this.producer.send({ topic: topicName(b.discomId, TOPICS.headendSubmissions), acks: ACKS_ALL, messages: [{ key: `${b.headEndId}:${b.jti}`, value }] });
        return true;
      } catch {
        stats.kafkaErrors += 1;
      }
      const wait = Math.min(5000, 500 * 2 ** Math.min(attempt, 4));
      if (Date.now() + wait > deadline) return false;
      await sleep(wait);
    }
  }

  /** Polls the batch's receipt (any gateway) until the notary has logged it: its accepted read count. */
  async acceptedReads(urls: readonly string[], batchId: string, headEndId: string, key: KeyPair, deadline: number): Promise<number | undefined> {
    for (let attempt = 0; Date.now() < deadline; attempt += 1) {
      const url = urls[attempt % urls.length];
      const res = await fetch(`${url}/v1/batches/${encodeURIComponent(batchId)}/receipt`, { headers: { authorization: `Bearer ${await bearer(headEndId, key, this.nodeId)}` }, signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
      if (res?.status === 200) return ((await res.json()) as { receipt: { readCount: number } }).receipt.readCount;
      await sleep(2000);
    }
    return undefined;
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}

export const sha256Hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');
