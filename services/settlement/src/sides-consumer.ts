import type { Consumer, Kafka } from 'kafkajs';
import { TOPICS, topicName } from '@ies/contracts';
import { IesError } from '@ies/errors';
import type { AvroSerde } from '@ies/kafka';
import type { Logger } from '@ies/observability';
import { SettlementError } from './domain/codes.js';
import type { Reconciler } from './reconciler.js';
import type { SideMessage } from './side-exchange.js';

export const SIDES_GROUP = 'ies-settlement-sides';

/**
 * Takes the side allocations other DISCOMs address to the hosted DISCOMs (p2p-sides.v1) and
 * hands each to the reconciler. A side that is refused (untrusted signature, malformed, for a
 * trade the DISCOM does not hold) is logged with its code and skipped; a dependency failure
 * is thrown, so the record is redelivered.
 */
export async function startSidesConsumer(opts: { kafka: Kafka; serde: AvroSerde; reconciler: Reconciler; tenants: readonly string[]; logger: Logger; groupId?: string }): Promise<Consumer> {
  const consumer = opts.kafka.consumer({ groupId: opts.groupId ?? SIDES_GROUP });
  await consumer.connect();
  for (const t of opts.tenants) await consumer.subscribe({ topic: topicName(t, TOPICS.p2pSides), fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const m = await opts.serde.decode<SideMessage>(message.value as Buffer);
      try {
        const { stored, final } = await opts.reconciler.receiveSide(m.toDiscomId, m.jws);
        opts.logger.info({ to: m.toDiscomId, from: m.fromDiscomId, tradeId: m.tradeId, side: m.side, version: m.version, stored, finalVersion: final?.version }, 'peer side received');
      } catch (err) {
        const refused = (err instanceof IesError && !err.retriable) || (err instanceof SettlementError && !err.retriable);
        if (!refused) throw err;
        opts.logger.error({ code: (err as IesError).code, err: (err as Error).message, to: m.toDiscomId, from: m.fromDiscomId, tradeId: m.tradeId }, 'peer side refused');
      }
    },
  });
  return consumer;
}
