import type { Consumer, Kafka } from 'kafkajs';
import { TableSink, type ClickHouseClient } from '@ies/clickhouse';
import { TOPICS, topicName } from '@ies/contracts';
import type { AvroSerde } from '@ies/kafka';
import type { NormalisedTrade } from './domain/trade.js';

export const TRADES_LOADER_GROUP = 'ies-settlement-trades';

/** p2p-trades.v1 as decoded (schemas-avro/p2p-trade.v1.avsc). */
export interface TradeChange {
  tradeId: string;
  discomId: string;
  revision: number;
  state: string;
  previousState: string | null;
  at: number;
  by: string;
  reason: string | null;
  trade: string;
}

/** Settlement owns p2p_trades (services/settlement/migrations/0008_p2p_trades.sql). */
export const TRADES_TABLE = new TableSink<Record<string, unknown>>('p2p_trades');

/** `p2p_trades` rows (migration 0008): one per interval of the revision. */
export function tradeRows(c: TradeChange): Record<string, unknown>[] {
  const t = JSON.parse(c.trade) as NormalisedTrade;
  return t.intervals.map((iv) => ({
    discom_id: c.discomId, trade_id: c.tradeId, revision: c.revision, state: c.state,
    transaction_id: t.transactionId, commitment_id: t.commitmentId, contract_id: t.contractId ?? '',
    seller_meter_id: t.seller.meterId, seller_discom_id: t.seller.discomId, seller_platform_id: t.seller.platformId,
    buyer_meter_id: t.buyer.meterId, buyer_discom_id: t.buyer.discomId, buyer_platform_id: t.buyer.platformId,
    interval_start: Math.floor(iv.startMs / 1000), interval_end: Math.floor(iv.endMs / 1000),
    quantity_wh: iv.quantityWh, price_paise_per_kwh: iv.pricePaisePerKwh,
    changed_by: c.by, changed_at_ms: Number(c.at),
  }));
}

/**
 * Loads every hosted DISCOM's p2p-trades.v1 into ClickHouse `p2p_trades`, a batch of records
 * per INSERT, committed after ClickHouse accepted it (a redelivery folds: same key).
 */
export async function startTradesLoader(opts: { kafka: Kafka; serde: AvroSerde; ch: ClickHouseClient; tenants: readonly string[]; groupId?: string }): Promise<Consumer> {
  const consumer = opts.kafka.consumer({ groupId: opts.groupId ?? TRADES_LOADER_GROUP });
  await consumer.connect();
  for (const t of opts.tenants) await consumer.subscribe({ topic: topicName(t, TOPICS.p2pTrades), fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      const rows: Record<string, unknown>[] = [];
      for (const m of batch.messages) rows.push(...tradeRows(await opts.serde.decode<TradeChange>(m.value as Buffer)));
      await TRADES_TABLE.write(opts.ch, rows);
      for (const m of batch.messages) resolveOffset(m.offset);
      await heartbeat();
    },
  });
  return consumer;
}
