import type { Consumer, Kafka, Producer } from 'kafkajs';
import { TOPICS, topicName } from '@ies/contracts';
import { IesError } from '@ies/errors';
import { ACKS_ALL, deadLetterMessage, type AvroSerde } from '@ies/kafka';
import type { Logger } from '@ies/observability';
import { SettlementError } from './domain/codes.js';
import type { Reconciler } from './reconciler.js';
import type { SideMessage } from './side-exchange.js';

export const SIDES_GROUP = 'ies-settlement-sides';

/**
 * Takes the side allocations other DISCOMs address to the hosted DISCOMs (p2p-sides.v1) and
 * hands each to the reconciler. A side that is refused (untrusted signature, malformed, for a
 * trade the DISCOM does not hold), or a record that is not a side message at all, goes to the
 * receiving DISCOM's dead-letter.v1 with its code (stage `settlement-sides`) and is skipped; a
 * dependency failure is thrown, so the record is redelivered.
 */
export async function startSidesConsumer(opts: { kafka: Kafka; serde: AvroSerde; producer: Producer; reconciler: Reconciler; tenants: readonly string[]; logger: Logger; groupId?: string; now?: () => number }): Promise<Consumer> {
  const now = opts.now ?? Date.now;
  const consumer = opts.kafka.consumer({ groupId: opts.groupId ?? SIDES_GROUP });
  await consumer.connect();
  const tenantOf = new Map(opts.tenants.map((t) => [topicName(t, TOPICS.p2pSides), t]));
  for (const topic of tenantOf.keys()) await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const receiver = tenantOf.get(topic)!;
      let m: SideMessage | undefined;
      try {
        m = await opts.serde.decode<SideMessage>(message.value as Buffer);
        const { stored, final } = await opts.reconciler.receiveSide(m.toDiscomId, m.jws);
        opts.logger.info({ to: m.toDiscomId, from: m.fromDiscomId, tradeId: m.tradeId, side: m.side, version: m.version, stored, finalVersion: final?.version }, 'peer side received');
      } catch (err) {
        const refused = (err instanceof IesError || err instanceof SettlementError) && !err.retriable;
        if (!refused) throw err;
        const code = err.code;
        opts.logger.error({ code, err: err.message, to: receiver, from: m?.fromDiscomId, tradeId: m?.tradeId }, 'peer side refused; dead-lettered');
        const record = await deadLetterMessage(opts.serde, {
          sourceId: `${topic}/${partition}/${message.offset}`, discomId: receiver, stage: 'settlement-sides', code, message: err.message, rejectedAt: now(), payload: message.value,
          context: { topic, partition: String(partition), offset: message.offset, ...(m ? { tradeId: m.tradeId, fromDiscomId: m.fromDiscomId, side: m.side, version: String(m.version) } : {}) },
        });
        await opts.producer.send({ topic: topicName(receiver, TOPICS.deadLetter), acks: ACKS_ALL, messages: [record] });
      }
    },
  });
  return consumer;
}
