import type { Producer } from 'kafkajs';
import { TableSink, type ClickHouseClient } from '@ies/clickhouse';
import { TOPICS, topicName } from '@ies/contracts';
import { canonicalJson } from '@ies/crypto';
import { IesError } from '@ies/errors';
import { ACKS_ALL, type AvroSerde } from '@ies/kafka';
import type { FinalRecord } from './p2p-store.js';

/** p2p-allocations.v1 value of a final version (schemas-avro/p2p-allocation.v1.avsc). */
export function allocationMessage(r: FinalRecord) {
  const f = r.final;
  return {
    tradeId: f.tradeId, discomId: r.discomId, version: r.version,
    sellerDiscomId: f.sellerDiscomId, buyerDiscomId: f.buyerDiscomId, sellerVersion: f.sellerVersion, buyerVersion: f.buyerVersion,
    sellerStatus: f.sellerStatus, buyerStatus: f.buyerStatus, status: f.status,
    intervals: f.intervals.map((iv) => ({ start: iv.startMs, end: iv.endMs, contractedWh: iv.contractedWh, sellerWh: iv.sellerWh, buyerWh: iv.buyerWh, finalWh: iv.finalWh, deviationWh: iv.deviationWh })),
    evidence: canonicalJson(f.evidence),
    sellerSideJws: r.sellerJws, buyerSideJws: r.buyerJws,
    computedAt: r.at,
  };
}

/** Settlement owns p2p_allocations (services/settlement/migrations/0009_p2p_allocations.sql). */
export const ALLOCATIONS_TABLE = new TableSink<Record<string, unknown>>('p2p_allocations');

/** `p2p_allocations` rows (migration 0009): one per interval. */
export function allocationRows(r: FinalRecord): Record<string, unknown>[] {
  const f = r.final;
  const evidence = canonicalJson(f.evidence);
  return f.intervals.map((iv) => ({
    discom_id: r.discomId, trade_id: f.tradeId, version: r.version,
    seller_discom_id: f.sellerDiscomId, buyer_discom_id: f.buyerDiscomId, seller_version: f.sellerVersion, buyer_version: f.buyerVersion,
    status: f.status, seller_status: f.sellerStatus, buyer_status: f.buyerStatus,
    interval_start: Math.floor(iv.startMs / 1000), interval_end: Math.floor(iv.endMs / 1000),
    contracted_wh: iv.contractedWh, seller_wh: iv.sellerWh, buyer_wh: iv.buyerWh, final_wh: iv.finalWh, deviation_wh: iv.deviationWh,
    evidence_json: evidence, computed_at_ms: r.at,
  }));
}

/**
 * Publishes final versions to p2p-allocations.v1 (acks=all) and writes their ClickHouse rows.
 * At-least-once: a retry repeats both; consumers keep the highest version and ClickHouse folds
 * the same (discom, trade, version, interval).
 */
export async function publishFinals(producer: Producer, serde: AvroSerde, ch: ClickHouseClient, discomId: string, records: readonly FinalRecord[]): Promise<void> {
  if (records.length === 0) return;
  const messages = await Promise.all(records.map(async (r) => ({ key: r.final.tradeId, value: await serde.encode(discomId, TOPICS.p2pAllocations, allocationMessage(r)) })));
  try {
    await producer.send({ topic: topicName(discomId, TOPICS.p2pAllocations), acks: ACKS_ALL, messages });
    await ALLOCATIONS_TABLE.write(ch, records.flatMap(allocationRows));
  } catch (cause) {
    throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `${records.length} final allocation(s) of ${discomId} not yet on Kafka and ClickHouse: ${(cause as Error).message}; they stay queued`, { cause });
  }
}
