import type { JWK } from 'jose';
import { createClickHouse } from '@ies/clickhouse';
import type { Config } from '@ies/config';
import { DrEventStore } from '@ies/dr/events';
import { AvroSerde, createKafka } from '@ies/kafka';
import { LogStore } from '@ies/notary/log';
import { createLogger, type Logger } from '@ies/observability';
import { createRedis } from '@ies/redis';
import { SettlementReadView } from '@ies/settlement/read-view';
import { istDayEnd, istDayStart } from '@ies/units';
import { trustFromVerifierKeys, type TrustAnchors } from '@ies/verify';
import { checkAcked, type AckedRecord } from './domain/ack-invariant.js';
import { checkBatches } from './domain/batch-invariant.js';
import { checkLog } from './domain/log-invariant.js';
import { checkReads } from './domain/read-invariant.js';
import type { BatchRecord } from './domain/records.js';
import { checkStatements } from './domain/statement-invariant.js';
import type { AckLedgerEntry } from './ledger.js';
import { reportOf, type AuditReport, type InvariantResult } from './report.js';
import { readStoredReads, readTopicRecords } from './sources.js';

export interface AuditOptions {
  /** Its Kafka principal reads every topic audited (the CLI loads it as `admin`). */
  config: Config;
  discomId: string;
  /** IST settlement day, YYYY-MM-DD. */
  day: string;
  ackLedger?: readonly AckLedgerEntry[];
  /** statement id → sha256 of its content without evidence, from a fault-free run (referenceOf). */
  referenceStatements?: Record<string, string>;
  logger?: Logger;
  /**
   * The notary's verifier key(s) for the tenant's log (`GET /v1/log/key`), held out of band.
   * Without them the auditor takes the keys the notary published in Redis (LogStore.keys),
   * which is what the node's JWKS serves, and says so in the log.
   */
  notaryVerifierKeys?: readonly string[];
  /** The DISCOM's settlement JWKS; without it, the keys settlement published (its JWKS source). */
  settlementJwks?: readonly JWK[];
  /** Signed checkpoint notes seen during a run (e.g. polled from /v1/log/checkpoint): each must be in the rebuilt log too. */
  checkpoints?: readonly string[];
}

/**
 * Audits one tenant's settlement day from the durable records: the tenant's topics read to
 * their end (read_committed), ClickHouse's `reads`, and the services' stores only where an
 * invariant is about a store (4) or the document lives there (5's signed statements).
 */
export async function audit(o: AuditOptions): Promise<AuditReport> {
  const from = istDayStart(o.day);
  const to = istDayEnd(o.day);
  if (from === undefined || to === undefined) throw new RangeError(`day ${JSON.stringify(o.day)} is not an IST date YYYY-MM-DD`);
  const logger = o.logger ?? createLogger({ name: 'ies-audit', level: 'warn' });
  const inDay = (ms: number) => ms >= from && ms < to;
  const kafka = createKafka(o.config, logger);
  const serde = new AvroSerde({ registryUrl: o.config.registry.url });
  const ch = createClickHouse(o.config);
  const redis = createRedis(o.config);
  try {
    const topics = await readTopicRecords(kafka, serde, o.discomId);
    const logStore = new LogStore(redis, o.discomId);
    const trust = await notaryTrust(o, logStore, logger);
    const latest = await logStore.checkpoint();
    // The whole ledger of the tenant: an ack's time says nothing about the day of its reads.
    const ledger = (o.ackLedger ?? []).filter((e) => e.discomId === o.discomId);
    const batchAcks = o.ackLedger === undefined ? undefined : ledger.flatMap((e) => (e.kind === 'batch' ? [e] : []));

    // A batch is the day's when the gateway received it that day or it carries a read of the
    // day (reads are often delivered the day after). Accepted = the first record of each such
    // batch id that the notary did not dead-letter (its dead letters name the record's
    // position; the loader refuses the same records, both running verifyMeterBatch).
    const inScope = (b: BatchRecord) => inDay(b.receivedAt) || b.reads.some((r) => inDay(r.blockStart)) || b.rejected.some((r) => r.blockStart !== null && inDay(r.blockStart));
    const refused = new Set(topics.deadLetters.filter((d) => d.stage === 'notary').map((d) => d.sourceId));
    const accepted = new Map<string, BatchRecord>();
    for (const b of topics.batches) if (inScope(b) && !refused.has(b.position) && !accepted.has(b.batchId)) accepted.set(b.batchId, b);

    const i1 = checkBatches(batchAcks, topics.batches, inScope);
    i1.failures.push(...topics.undecodable.meterBatches.map((u) => ({ record: u.position, problem: `not a meter-batches.v1 record: ${u.value}` })));
    // The same predicate as the rows query: a read of the day, or any read of a batch received that day.
    const i2 = checkReads([...accepted.values()], await readStoredReads(ch, o.discomId, from, to), topics.deadLetters, (b, r) => inDay(r.blockStart) || inDay(b.receivedAt));
    const { result: i3, log } = await checkLog({ discomId: o.discomId, origin: `${o.config.notary.originPrefix}/${o.discomId}`, batches: [...accepted.values()], receipts: topics.receipts, extraCheckpoints: [...(o.checkpoints ?? []), ...(latest === undefined ? [] : [latest])], trust });
    i3.failures.push(...topics.undecodable.receipts.map((u) => ({ record: u.position, problem: `not a receipts.v1 record: ${u.value}` })));
    const i4 = await ackedInStores(o, ledger, topics, redis, kafka, serde);
    const view = new SettlementReadView(redis);
    const statements = await view.statementsOfDay(o.discomId, o.day);
    const i5 = await checkStatements({
      statements,
      jwks: o.settlementJwks ?? (await view.settlementKeys(o.discomId)),
      reference: o.referenceStatements,
      evidenceHeld: (ref) => (ref.origin === log.origin ? log.holds(ref) : undefined),
    });
    const published = new Set(topics.statementHashes.map((s) => `${s.statementId}|${s.sha256}`));
    for (const s of statements) if (!published.has(`${s.statementId}|${s.sha256}`)) i5.failures.push({ record: `statement ${s.statementId}`, problem: `sha256 ${s.sha256} is not on statements.v1` });
    const invariants: InvariantResult[] = [i1, i2, i3, i4, i5];
    return reportOf(o.discomId, o.day, invariants);
  } finally {
    redis.disconnect();
    await ch.close();
  }
}

async function notaryTrust(o: AuditOptions, store: LogStore, logger: Logger): Promise<TrustAnchors | undefined> {
  if (o.notaryVerifierKeys !== undefined && o.notaryVerifierKeys.length > 0) return trustFromVerifierKeys(o.notaryVerifierKeys);
  const published = await store.keys();
  if (published === undefined || published.verifierKeys.length === 0) return undefined;
  logger.warn({ discomId: o.discomId }, 'no notary verifier key given: using the keys the notary published (what /v1/log/key serves); pass one held out of band for an independent audit');
  return trustFromVerifierKeys(published.verifierKeys);
}

async function ackedInStores(o: AuditOptions, ledger: readonly AckLedgerEntry[], topics: Awaited<ReturnType<typeof readTopicRecords>>, redis: ReturnType<typeof createRedis>, kafka: ReturnType<typeof createKafka>, serde: AvroSerde): Promise<InvariantResult> {
  const acked: AckedRecord[] = ledger.flatMap((e): AckedRecord[] => (e.kind === 'dr-event' ? [{ kind: e.kind, id: e.eventId, at: e.at }] : e.kind === 'p2p-trade' ? [{ kind: e.kind, id: e.tradeId, at: e.at }] : []));
  // DrEventStore's reads need only Redis; its producer (for the outbox) is never connected or used here.
  const drStore = new DrEventStore(redis, kafka.producer(), serde);
  const view = new SettlementReadView(redis);
  const drStored = new Map<string, boolean>();
  const tradeStored = new Map<string, boolean>();
  for (const a of acked) {
    if (a.kind === 'dr-event') drStored.set(a.id, (await drStore.get(o.discomId, a.id)) !== undefined);
    else tradeStored.set(a.id, (await view.trade(o.discomId, a.id)) !== undefined);
  }
  return checkAcked(acked, {
    'dr-event': { records: topics.drEvents, firstVersion: 1, stored: drStored },
    'p2p-trade': { records: topics.p2pTrades, firstVersion: 0, stored: tradeStored },
  });
}
