import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import type { Config } from '@ies/config';
import { TOPICS, topicName } from '@ies/contracts';
import { isIesError } from '@ies/errors';
import type { IdempotencyStore } from '@ies/http/auth';
import { replayTopic, type AvroSerde } from '@ies/kafka';
import type { RejectedRead } from '@ies/meterdata';
import type { Logger } from '@ies/observability';
import type { RegistryState } from '@ies/registry';
import { ingestContextFor, type MeterBatchRecord } from '@ies/registry/verify-batch';
import { acceptedBatchResponse, answerFromRecord } from './batch-response.js';

/**
 * The gateway's Kafka client bound: a send gives up after 4 attempts of at most 10 s each
 * with 3 back-offs of at most 2 s (46 s), not createKafka's 9 attempts (about 130 s). A
 * broker failover on the 3-broker stack settles well inside it (`npm run chaos` kills one
 * under load), and a send that gives up is answered 503 and retried with the same batch id.
 * Kept short because it sets how long claims are refused after Redis loses the ledger.
 */
export const GATEWAY_SEND_BOUND = { requestTimeout: 10_000, retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 3 } } as const;

/**
 * How long a batch write may still land after it was started: GATEWAY_SEND_BOUND's 46 s,
 * rounded up for the connection and SASL handshakes a retry may redo and the metadata
 * refreshes between attempts. writeDurably answers 503 after `ingest.kafkaAckTimeoutMs` but
 * leaves the send running, so this, not that, bounds it.
 */
export const SEND_SETTLES_WITHIN_MS = 75_000;

export interface ReplayLedgerDeps {
  config: Config;
  /** A client of the gateway's principal (it reads meter-batches.v1 in `{node}-gateway-ledger-…` groups). */
  kafka: Kafka;
  admin: Admin;
  serde: AvroSerde;
  registry: RegistryState;
  idempotency: IdempotencyStore;
  logger: Pick<Logger, 'info' | 'warn'>;
  now: () => number;
}

export interface ReplayLedgerOptions {
  tenants: readonly string[];
  /** How often the marker is checked; 2 s by default. */
  intervalMs?: number;
  /** The wait for writes in flight at the loss; SEND_SETTLES_WITHIN_MS by default (tests shorten it). */
  graceMs?: number;
}

export interface ReplayLedger {
  /** Resolves once every named tenant's ledger (all by default) has been seen whole. */
  whole(tenants?: readonly string[]): Promise<void>;
  stop(): Promise<void>;
}

type Offsets = Map<number, bigint>;

/**
 * Keeps each tenant's replay ledger (the gateway's idempotency records) whole across a loss
 * of Redis. While a tenant's marker is missing every claim is refused (IdempotencyStore);
 * the keeper replays the tenant's meter-batches.v1 records of the ledger's TTL window,
 * writes the DONE answer of each batch where no record exists, waits until any write that
 * was in flight at the loss has landed or failed, replays that tail, then sets the marker.
 * Rebuilds by several gateways at once write the same records (SET NX) and the same marker.
 */
export function startReplayLedger(deps: ReplayLedgerDeps, options: ReplayLedgerOptions): ReplayLedger {
  const intervalMs = options.intervalMs ?? 2_000;
  const graceMs = options.graceMs ?? SEND_SETTLES_WITHIN_MS;
  const seenWhole = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  for (const t of options.tenants) {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => { resolve = r; });
    seenWhole.set(t, { promise, resolve });
  }
  let stopped = false;
  // Every loop's current wait (the interval, or a rebuild's grace), cut short by stop().
  const sleeping = new Set<() => void>();
  const pause = (ms: number) => new Promise<void>((resolve) => {
    const wake = () => { clearTimeout(timer); sleeping.delete(wake); resolve(); };
    const timer = setTimeout(wake, ms);
    sleeping.add(wake);
  });

  async function keep(discomId: string): Promise<void> {
    while (!stopped) {
      try {
        if (await deps.idempotency.ledgerWhole(discomId)) seenWhole.get(discomId)?.resolve();
        else if (await rebuild(deps, discomId, graceMs, () => stopped, pause)) seenWhole.get(discomId)?.resolve();
      } catch (err) {
        // Redis or Kafka down: claims are refused meanwhile, so waiting and trying again is safe.
        deps.logger.warn({ discomId, err: (err as Error).message }, 'replay ledger check failed; retrying');
      }
      if (!stopped) await pause(intervalMs);
    }
  }
  const loops = options.tenants.map((t) => keep(t));
  return {
    async whole(tenants = options.tenants) {
      await Promise.all(tenants.map((t) => seenWhole.get(t)?.promise));
    },
    async stop() {
      stopped = true;
      for (const wake of [...sleeping]) wake();
      await Promise.all(loops);
    },
  };
}

/** One rebuild of a tenant's ledger; true when it set the marker. */
async function rebuild(deps: ReplayLedgerDeps, discomId: string, graceMs: number, stopped: () => boolean, pause: (ms: number) => Promise<void>): Promise<boolean> {
  const started = deps.now();
  const runId = randomUUID();
  const ttlSeconds = deps.config.ingest.idempotencyTtlSeconds;
  // The run key outlives any rebuild that is not stuck; one that outlives it just runs again.
  await deps.idempotency.beginRebuild(discomId, runId, Math.ceil(graceMs / 1000) + 3600);
  deps.logger.warn({ discomId, runId }, 'replay ledger missing (Redis lost it or a new tenant): rebuilding from meter-batches.v1; claims are refused meanwhile');
  const topic = topicName(discomId, TOPICS.meterBatches);
  const fromWindow = new Map((await deps.admin.fetchTopicOffsetsByTimestamp(topic, started - ttlSeconds * 1000)).map((o) => [o.partition, BigInt(o.offset)]));
  const first = await replayFrom(deps, discomId, topic, fromWindow, runId);
  // Wait out the sends that were in flight when Redis lost their PENDING claims. A topic that
  // never held a record skips it, so a new tenant starts at once; the one send it could miss
  // is the tenant's first ever, lost with Redis mid-send (docs/reliability.md).
  const everWritten = [...first.highs.values()].some((h) => h > 0n);
  if (everWritten) await pause(graceMs);
  if (stopped()) return false;
  const tail = await replayFrom(deps, discomId, topic, first.highs, runId);
  const marked = await deps.idempotency.markWhole(discomId, runId);
  const summary = { discomId, runId, records: first.records + tail.records, restored: first.restored + tail.restored, graceMs: everWritten ? graceMs : 0, tookMs: deps.now() - started };
  if (marked) deps.logger.info(summary, 'replay ledger rebuilt; claims are taken again');
  else deps.logger.warn(summary, 'Redis lost the replay ledger again during its rebuild; rebuilding again');
  return marked;
}

/**
 * Restores the DONE record of every batch at or after `from` (per partition) up to the high
 * watermark, returned for the next pass. replayTopic reads from the first retained offset,
 * so records before `from` are skipped undecoded; none is read at all when none is due.
 */
async function replayFrom(deps: ReplayLedgerDeps, discomId: string, topic: string, from: Offsets, runId: string) {
  const highs: Offsets = new Map((await deps.admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
  let records = 0;
  let restored = 0;
  const due = [...highs].some(([p, high]) => high > (from.get(p) ?? 0n));
  if (!due) return { highs, records, restored };
  const groupId = `${deps.config.nodeId}-gateway-ledger-${discomId}-${runId}`;
  await replayTopic({ kafka: deps.kafka, admin: deps.admin, topic, groupId }, async (r) => {
    if (BigInt(r.offset) < (from.get(r.partition) ?? 0n)) return;
    const record = await decodeOrSkip(deps, r.value, `${topic}/${r.partition}@${r.offset}`);
    if (record === undefined) return;
    records++;
    if (await restoreBatch(deps, discomId, record)) restored++;
  });
  return { highs, records, restored };
}

type StoredBatch = MeterBatchRecord & { rejected: RejectedRead[] };

/** A record that cannot be decoded for good must not hold every claim back: it is logged and skipped (no consumer took it either). */
async function decodeOrSkip(deps: ReplayLedgerDeps, value: Buffer, where: string): Promise<StoredBatch | undefined> {
  try {
    return await deps.serde.decode<StoredBatch>(value);
  } catch (err) {
    if (isIesError(err) && err.retriable) throw err; // the schema registry is down: the rebuild runs again
    deps.logger.warn({ where, err: (err as Error).message }, 'undecodable meter-batches.v1 record; no ledger record for it');
    return undefined;
  }
}

async function restoreBatch(deps: ReplayLedgerDeps, discomId: string, record: StoredBatch): Promise<boolean> {
  const prefix = `${record.headEndId}:`;
  // Only the gateway writes this topic (ACLs); a record of another tenant or id shape is not ours to answer for.
  if (record.discomId !== discomId || !record.batchId.startsWith(prefix)) {
    deps.logger.warn({ discomId, batchId: record.batchId }, 'batch record does not name this tenant or its head-end; not restored');
    return false;
  }
  const receivedAt = Number(record.receivedAt);
  const ttlSeconds = Math.ceil((receivedAt + deps.config.ingest.idempotencyTtlSeconds * 1000 - deps.now()) / 1000);
  const fields = { ...record, receivedAt };
  let response: ReturnType<typeof acceptedBatchResponse>;
  try {
    response = answerFromRecord(fields, ingestContextFor(deps.registry, record.discomId, record.headEndId, receivedAt));
  } catch (err) {
    // Only a registry changed since could make an accepted body fail now; the answer is still owed.
    deps.logger.warn({ batchId: record.batchId, err: (err as Error).message }, 'accepted body no longer normalises; its rebuilt answer lists no ignored profiles');
    response = acceptedBatchResponse({ ...fields, ignoredProfiles: {} });
  }
  return deps.idempotency.restoreDone(discomId, { senderId: record.headEndId, messageId: record.batchId.slice(prefix.length), bodySha256: record.bodySha256, status: 202, response, ttlSeconds });
}
