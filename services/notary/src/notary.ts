import type { Admin, Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import { TOPICS, topicName } from '@ies/contracts';
import { IesError } from '@ies/errors';
import { commitInTransaction, deadLetterMessage, type AvroReader, type AvroSerde } from '@ies/kafka';
import type { Logger } from '@ies/observability';
import type { BatchVerifier, MeterBatchHeader, MeterBatchRecord } from '@ies/registry/verify-batch';
import type { LogEntry } from '@ies/verify';
import type { NotaryKeyFile } from './keys.js';
import type { AppliedState, LogStore } from './log-store.js';
import { isBatchRootText } from './domain/batch-tree.js';
import { recoverTenantLog } from './recovery.js';
import { LogForkError, TenantLog, type IncomingBatch } from './tenant-log.js';

export const NOTARY_GROUP_PREFIX = 'ies-notary';

interface Pending {
  readonly partition: number;
  readonly offset: string;
  /** undefined for a record that cannot be notarised (dead-lettered instead). */
  readonly entry: LogEntry | undefined;
  readonly poison?: { readonly code: string; readonly message: string; readonly value: Buffer | null; readonly batchId?: string };
  /** True when the notary decoded the reads and computed the batch root itself (a record without batchRoot). */
  readonly rehashed?: boolean;
}

export interface NotaryObserver {
  appended(count: number, size: number, receivedAt: readonly number[]): void;
}

export interface TenantNotary {
  readonly log: TenantLog;
  stop(): Promise<void>;
}

/**
 * The single writer of one tenant's log. Consumes meter-batches.v1, and at most once per
 * `intervalMs` appends every new batch it holds, signs one checkpoint, and commits the
 * receipts (receipts.v1) together with the consumer offsets in one Kafka transaction. The
 * transactional id is per tenant, so a second notary for the same tenant fences the first:
 * the log cannot fork between two writers.
 */
export async function startTenantNotary(opts: {
  kafka: Kafka;
  admin: Admin;
  serde: AvroSerde;
  store: LogStore;
  keys: NotaryKeyFile;
  discomId: string;
  origin: string;
  intervalMs: number;
  logger: Logger;
  /** Re-verifies each batch (head-end signature, registry state, reads) before it may be notarised. */
  verifier: Pick<BatchVerifier, 'check' | 'checkSignature'>;
  observer?: NotaryObserver;
  /**
   * Called when the writer must stop: the log state after a commit could not be projected,
   * another writer fenced this one, or a checkpoint would fork. Recovery on restart is exact.
   */
  onFatal: (err: Error) => void;
}): Promise<TenantNotary> {
  const { kafka, serde, store, keys, discomId, logger } = opts;
  const groupId = `${NOTARY_GROUP_PREFIX}-${discomId}`;
  const batchesTopic = topicName(discomId, TOPICS.meterBatches);
  const receiptsTopic = topicName(discomId, TOPICS.receipts);

  const producer: Producer = kafka.producer({ transactionalId: `${NOTARY_GROUP_PREFIX}-${discomId}`, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  // kafkajs asks for the transactional producer id (the step that fences older writers with
  // this id) only when a first transaction begins, not on connect. Begin and abort one now,
  // before recovery reads receipts.v1: otherwise an older writer could still commit entries
  // this one never read, and both would sign different trees of the same size.
  await (await producer.transaction()).abort();
  const log = new TenantLog(discomId, opts.origin);
  await recoverTenantLog({ kafka, admin: opts.admin, serde, store, log, receiptsTopic, logger });
  const published = await keys.current();
  const encodeReceipt = await serde.encoderOf(discomId, TOPICS.receipts);
  await store.publishKeys({ jwks: published.jwks, verifierKeys: published.verifierKeys, ...(published.mlDsa ? { mlDsaVerifierKeys: published.mlDsa.verifierKeys } : {}) });

  // Records wait here for the next append. The consumer does not wait for the append (so it
  // keeps fetching while a checkpoint interval runs) unless too much is pending.
  const pending: Pending[] = [];
  let pendingReads = 0;
  let waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  let failures = 0;
  let lastFlushAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;
  /** The batches of the running append: they have no receipt yet either. */
  let inFlight: readonly Pending[] = [];

  let stopped = false;
  const schedule = () => {
    if (stopped || timer || flushing || pending.length === 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      flushing = flush().finally(() => {
        flushing = undefined;
        schedule();
      });
    }, Math.max(0, lastFlushAt + opts.intervalMs - Date.now()));
  };

  async function flush(): Promise<void> {
    const take = pending.splice(0);
    if (take.length === 0) return;
    lastFlushAt = Date.now();
    inFlight = take;
    try {
      await append(take);
      inFlight = [];
      failures = 0;
      pendingReads = pending.reduce((n, p) => n + (p.entry?.readCount ?? 0), 0);
      settle();
    } catch (err) {
      if (stopped) return;
      failures += 1;
      if (isFatal(err) || failures >= MAX_APPEND_ATTEMPTS) {
        stopped = true;
        settle(err);
        opts.onFatal(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      // Nothing moved (the transaction aborted): the same records go first into the next try.
      inFlight = [];
      pending.unshift(...take);
      lastFlushAt = Date.now() + Math.min(30_000, 250 * 2 ** failures);
      logger.warn({ err, discomId, attempt: failures }, 'append failed; retrying the same batches');
    }
  }

  /**
   * Redis may come back empty while this writer runs (FLUSHALL, a lost volume): the receipts
   * it dedupes against and the tiles it serves would be gone, and a redelivered batch could
   * be appended twice. Before each append the projection must stand where this writer's log
   * does; when it does not, it is rebuilt from receipts.v1 first, as on start (true: rebuilt).
   */
  async function reprojectIfLost(applied: AppliedState | undefined): Promise<boolean> {
    if ((applied?.size ?? 0) === log.size) return false;
    logger.warn({ discomId, projected: applied?.size ?? 0, size: log.size }, 'the log projection in Redis is behind this writer (Redis lost it?); rebuilding it from receipts.v1 before appending');
    await recoverTenantLog({ kafka, admin: opts.admin, serde, store, log, receiptsTopic, logger });
    const published = await keys.current();
    await store.publishKeys({ jwks: published.jwks, verifierKeys: published.verifierKeys, ...(published.mlDsa ? { mlDsaVerifierKeys: published.mlDsa.verifierKeys } : {}) });
    return true;
  }

  function settle(err?: unknown): void {
    const w = waiters;
    waiters = [];
    for (const x of w) if (err === undefined) x.resolve(); else x.reject(err);
  }

  async function append(take: readonly Pending[]): Promise<void> {
    const candidates = take.flatMap((p) => (p.entry ? [p.entry] : []));
    const batchIds = candidates.map((e) => e.batchId);
    // One round trip: where the projection stands and which batches already have a receipt.
    const state = await store.appendState(batchIds);
    const existing = (await reprojectIfLost(state.applied)) ? await store.existingReceipts(batchIds) : state.existing;
    const seen = new Set<string>();
    const fresh = candidates.filter((e) => !existing.has(e.batchId) && !seen.has(e.batchId) && seen.add(e.batchId));
    if (candidates.length > fresh.length) logger.info({ discomId, duplicates: candidates.length - fresh.length }, 'batches already in the log were not appended again');
    const current = await keys.current();
    const prepared = fresh.length > 0 ? await log.prepare(fresh, current) : undefined;
    const offsets = new Map<number, bigint>();
    for (const p of take) {
      const next = BigInt(p.offset) + 1n;
      if (next > (offsets.get(p.partition) ?? 0n)) offsets.set(p.partition, next);
    }
    const receipts = prepared ? prepared.receipts.map((r, i) => ({ key: r.batchId, value: encodeReceipt({ ...r, jws: prepared.jws[i] }) })) : [];
    const poison = await Promise.all(take.filter((p) => p.poison).map((p) => deadLetter(serde, discomId, batchesTopic, p)));
    const [meta] = await commitInTransaction(producer, [{ topic: receiptsTopic, messages: receipts }, { topic: topicName(discomId, TOPICS.deadLetter), messages: poison }], {
      consumerGroupId: groupId,
      positions: [...offsets].map(([partition, offset]) => ({ topic: batchesTopic, partition, offset: offset.toString() })),
    });
    const receiptsBase = meta?.baseOffset;
    if (!prepared) return;
    try {
      if (receiptsBase === undefined) throw new Error(`Kafka returned no offset for the receipts of ${discomId}`);
      const nextOffset = (BigInt(receiptsBase) + BigInt(prepared.receipts.length)).toString();
      await withRetries(() => store.apply(log.projection(prepared, nextOffset)), logger);
    } catch (err) {
      // The append is committed in Kafka but this writer's view is now behind it: only a
      // restart (which recovers from receipts.v1) may append again.
      throw new CommittedButUnprojectedError(`the log of ${discomId} committed size ${prepared.window.size} but its projection failed: ${(err as Error).message}`, { cause: err });
    }
    log.committed(prepared);
    const acceptedAt = new Set(fresh);
    opts.observer?.appended(prepared.receipts.length, log.size, take.flatMap((p) => (p.entry && acceptedAt.has(p.entry) ? [Date.parse(p.entry.acceptedAt)] : [])));
  }

  // The gateway admits new batches only while this writer keeps up (config ingest.maxNotaryLagMs):
  // it publishes the oldest batch without a receipt, waiting or inside the running append.
  const backlogTimer = setInterval(() => {
    let oldest: number | null = null;
    for (const list of [inFlight, pending]) for (const p of list) if (p.entry) oldest = Math.min(oldest ?? Number.POSITIVE_INFINITY, Date.parse(p.entry.acceptedAt));
    void store.publishBacklog({ oldestUnreceiptedAcceptedAt: oldest, checkpointIntervalMs: opts.intervalMs }).catch(() => {});
  }, 250);
  const header = await serde.readerOf(TOPICS.meterBatches, HEADER_FIELDS);
  // The broker holds a fetch until FETCH_MIN_BYTES are there or FETCH_MAX_WAIT_MS passed: with
  // an append at most once per interval (≥ 1 s), fetching every record as it lands only costs
  // requests (each one a loopback write the profile showed as the notary's largest item).
  const consumer: Consumer = kafka.consumer({ groupId, readUncommitted: false, maxBytesPerPartition: 16 * 1024 * 1024, maxBytes: 64 * 1024 * 1024, minBytes: FETCH_MIN_BYTES, maxWaitTimeInMs: FETCH_MAX_WAIT_MS });
  await consumer.connect();
  await consumer.subscribe({ topic: batchesTopic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: TOPICS.meterBatches.partitions,
    eachBatch: async ({ batch }: EachBatchPayload) => {
      if (stopped) throw new Error(`the notary of ${discomId} has stopped`);
      const items: Pending[] = [];
      for (const message of batch.messages) {
        const item = await decodeBatch(serde, header, opts.verifier, discomId, batch.partition, message.offset, message.value);
        items.push(item);
        // Hashing an old producer's batch is CPU-bound and would hold the event loop: let a due
        // append (and its Kafka and Redis I/O) run between such batches, so receipts are not held back.
        if (item.rehashed) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (items.length === 0) return;
      pending.push(...items);
      pendingReads += items.reduce((n, p) => n + (p.entry?.readCount ?? 0), 0);
      schedule();
      // Back-pressure: past the high-water mark the consumer waits for the next append.
      if (pendingReads > MAX_PENDING_READS || pending.length > MAX_PENDING_BATCHES) await new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
    },
  });
  logger.info({ discomId, size: log.size, origin: opts.origin }, 'notary running');

  return {
    log,
    stop: async () => {
      clearInterval(backlogTimer);
      await consumer.disconnect();
      if (timer) clearTimeout(timer);
      await flushing;
      await producer.disconnect();
    },
  };
}

const MAX_APPEND_ATTEMPTS = 8;
/** About twenty 1,000-read batch records. */
const FETCH_MIN_BYTES = 1024 * 1024;
const FETCH_MAX_WAIT_MS = 100;
const MAX_PENDING_READS = 2_000_000;
const MAX_PENDING_BATCHES = 20_000;

class CommittedButUnprojectedError extends Error {
  override readonly name = 'CommittedButUnprojectedError';
}

function isFatal(err: unknown): boolean {
  if (err instanceof LogForkError || err instanceof CommittedButUnprojectedError) return true;
  const type = (err as { type?: string } | null)?.type;
  return type === 'INVALID_PRODUCER_EPOCH' || type === 'PRODUCER_FENCED' || type === 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED';
}

/**
 * The fields of a meter-batches.v1 record the notary reads: everything but `reads` and
 * `rejected`, which Avro schema resolution skips without building them.
 */
const HEADER_FIELDS = ['batchId', 'discomId', 'headEndId', 'receivedAt', 'format', 'bodySha256', 'signature', 'body', 'batchRoot', 'readCount'];

/**
 * Decodes and re-verifies one record while the consumer fetches, off the append's critical
 * path; any record that fails is dead-lettered in the transaction that commits past it.
 *
 * A record that carries its batch root (the gateway computed it) is read without its reads:
 * the head-end's signature over the body, its registered key and the batch id are checked
 * here, O(1) per batch, and the carried root and count become the entry. The reads against
 * the signed body and the root against the reads are the re-checker's (recheck.ts), off this
 * process's path. A record without a root (a producer older than the field) is decoded whole,
 * checked whole and hashed here, as before.
 */
async function decodeBatch(serde: AvroSerde, header: AvroReader, verifier: Pick<BatchVerifier, 'check' | 'checkSignature'>, discomId: string, partition: number, offset: string, value: Buffer | null): Promise<Pending> {
  if (value === null) return { partition, offset, entry: undefined, poison: { code: 'IES_ERR_AVRO_DECODE', message: 'a meter-batches record has no value', value } };
  try {
    const head = await serde.decodeWith<MeterBatchHeader & { batchRoot: string | null; readCount: number | null }>(value, header);
    if (head.batchRoot === null) {
      const batch = await serde.decode<IncomingBatch & MeterBatchRecord>(value);
      const verdict = await verifier.check(batch, discomId);
      if (!verdict.ok) return { partition, offset, entry: undefined, poison: { code: verdict.code, message: verdict.message, value, batchId: batch.batchId }, rehashed: true };
      return { partition, offset, entry: TenantLog.entryOf(batch), rehashed: true };
    }
    if (!isBatchRootText(head.batchRoot) || head.readCount === null || head.readCount < 0) {
      return { partition, offset, entry: undefined, poison: { code: 'IES_ERR_BATCH_ROOT_MISMATCH', message: `batch ${head.batchId} carries batchRoot ${JSON.stringify(head.batchRoot.slice(0, 60))} and readCount ${head.readCount}: not base64 of 32 bytes and a count`, value, batchId: head.batchId } };
    }
    const verdict = await verifier.checkSignature(head, discomId);
    if (!verdict.ok) return { partition, offset, entry: undefined, poison: { code: verdict.code, message: verdict.message, value, batchId: head.batchId } };
    return { partition, offset, entry: TenantLog.entryOfCarried({ ...head, batchRoot: head.batchRoot, readCount: head.readCount }) };
  } catch (err) {
    if (err instanceof IesError && !err.retriable) return { partition, offset, entry: undefined, poison: { code: err.code, message: err.message, value } };
    throw err; // registry unavailable and the like: the batch is retried, not dead-lettered
  }
}

function deadLetter(serde: AvroSerde, discomId: string, topic: string, p: Pending) {
  return deadLetterMessage(serde, { sourceId: `${topic}/${p.partition}/${p.offset}`, discomId, stage: 'notary', code: p.poison!.code, message: p.poison!.message, rejectedAt: Date.now(), payload: p.poison!.value, context: { topic, partition: String(p.partition), offset: p.offset, ...(p.poison!.batchId === undefined ? {} : { batchId: p.poison!.batchId }) } });
}

/** Redis writes after a commit must land: a few retries, then the error (the process restarts and recovers from Kafka). */
async function withRetries(fn: () => Promise<void>, logger: Logger): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= 5) throw err;
      logger.warn({ err, attempt }, 'log projection write failed; retrying');
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
  }
}
