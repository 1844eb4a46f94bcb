// Reads the durable records one audit needs, as the Kafka principal of the config (the
// `admin` super-user: no service principal may read every topic involved, and the auditor
// must not borrow a service's identity), from ClickHouse and through the services' read
// entry points. Everything comes back as the plain data of domain/records.ts.
import type { Kafka } from 'kafkajs';
import type { ClickHouseClient } from '@ies/clickhouse';
import { TOPICS, topicName } from '@ies/contracts';
import type { AvroSerde } from '@ies/kafka';
import { storedReadVersions } from '@ies/reads';
import type { ReceiptBody } from '@ies/verify';
import type { BatchRecord, DeadLetterRecord, ReceiptRecord, StoredReadGroup, TransitionRecord } from './domain/records.js';
import { readTopic, type Positioned } from './topic-reader.js';

export interface TopicRecords {
  readonly batches: BatchRecord[];
  readonly receipts: ReceiptRecord[];
  readonly deadLetters: DeadLetterRecord[];
  readonly drEvents: TransitionRecord[];
  readonly p2pTrades: TransitionRecord[];
  /** statements.v1: (statementId, sha256) pairs the settlement worker published. */
  readonly statementHashes: { statementId: string; sha256: string }[];
  /** Records that are not Avro of their topic's schema, by topic id. */
  readonly undecodable: Record<'meterBatches' | 'receipts' | 'other', Positioned<string>[]>;
}

type Raw<T> = Positioned<T>[];

export async function readTopicRecords(kafka: Kafka, serde: AvroSerde, discomId: string): Promise<TopicRecords> {
  const read = <T>(id: keyof typeof TOPICS) => readTopic<T>(kafka, serde, topicName(discomId, TOPICS[id]));
  const [batches, receipts, letters, dr, p2p, statements] = await Promise.all([
    read<Omit<BatchRecord, 'position'> & { rejected?: BatchRecord['rejected'] }>('meterBatches'),
    read<ReceiptBody & { jws: string }>('receipts'),
    read<Omit<DeadLetterRecord, 'position'>>('deadLetter'),
    read<{ eventId: string; discomId: string; version: number; state: string; at: number }>('drEvents'),
    read<{ tradeId: string; discomId: string; revision: number; state: string; at: number }>('p2pTrades'),
    read<{ statementId: string; sha256: string }>('statements'),
  ]);
  return {
    batches: (batches.records as Raw<Omit<BatchRecord, 'position'>>).map(({ position, value: v }) => ({
      position, batchId: v.batchId, discomId: v.discomId, headEndId: v.headEndId, receivedAt: Number(v.receivedAt), bodySha256: v.bodySha256,
      reads: v.reads.map((r) => ({ ...r, blockStart: Number(r.blockStart), wh: Number(r.wh) })),
      rejected: (v.rejected ?? []).map((r) => ({ index: r.index, meterId: r.meterId, blockStart: r.blockStart === null ? null : Number(r.blockStart), code: r.code })),
    })),
    receipts: receipts.records.map(({ position, value: v }) => ({ ...v, position, logIndex: Number(v.logIndex) })),
    deadLetters: letters.records.map(({ position, value: v }) => ({ position, sourceId: v.sourceId, stage: v.stage, code: v.code, context: v.context ?? {} })),
    drEvents: dr.records.map(({ position, value: v }) => ({ position, id: v.eventId, discomId: v.discomId, version: v.version, state: v.state, at: Number(v.at) })),
    p2pTrades: p2p.records.map(({ position, value: v }) => ({ position, id: v.tradeId, discomId: v.discomId, version: v.revision, state: v.state, at: Number(v.at) })),
    statementHashes: statements.records.map(({ value: v }) => ({ statementId: v.statementId, sha256: v.sha256 })),
    undecodable: { meterBatches: batches.undecodable, receipts: receipts.undecodable, other: [...letters.undecodable, ...dr.undecodable, ...p2p.undecodable, ...statements.undecodable] },
  };
}

/** The tenant's `reads` rows of blocks in, or received in, [fromMs, toMs) (through @ies/reads, their only reader). */
export async function readStoredReads(ch: ClickHouseClient, discomId: string, fromMs: number, toMs: number): Promise<StoredReadGroup[]> {
  return storedReadVersions(ch, discomId, fromMs, toMs);
}
