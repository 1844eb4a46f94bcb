import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { insertEncoded, insertError } from '@ies/clickhouse';
import { TOPICS, topicName } from '@ies/contracts';
import { IesError } from '@ies/errors';
import type { MeterBatchRecord } from '@ies/registry/verify-batch';
import { loaderDeadLetter } from './domain/rows.js';
import { DEFAULT_LOADER_OPTIONS, type LoaderDeps, type LoaderOptions } from './loader-options.js';
import { NO_METRICS, type LoaderMetrics } from './metrics.js';
import { decodeRecord, type RecordDecoder } from './record-decode.js';
import { wireReadColumns } from './meter-batch-wire.js';
import { backoffMs, sleep } from './retry.js';
import { OffsetCommits } from './offset-commits.js';
import { RowBuffer, type PendingInsert } from './row-buffer.js';
import type { Sink, SinkOutcome } from './sink.js';
import { SINKS } from './sinks.js';
import { EventLoopTurns } from './turns.js';

export { LOADER_GROUP, DEFAULT_LOADER_OPTIONS, type LoaderOptions, type LoaderDeps } from './loader-options.js';

type PauseReason = 'clickhouse' | 'stopping' | 'failed';

/**
 * How long the batch handler runs between turns of the event loop (EventLoopTurns), so the
 * INSERTs in flight keep sending their bodies. bench:loader, ClickHouse on a core of its own:
 * 559,000–648,000 rows/s end to end with these turns (8 runs), 439,000–590,000 without (14).
 */
const TURN_EVERY_MS = 10;

/** Where a subscribed topic's records go, and how they are decoded when not by AvroSerde alone. */
type Route = { readonly tenant: string; readonly sink: Sink; readonly decoder?: RecordDecoder };

/** One queued INSERT; slots leave the queue in order, so commits never pass an unstored row. */
interface Slot {
  pending: PendingInsert;
  started: boolean;
  stored: boolean;
}

/**
 * Each sink's topic of every tenant → its ClickHouse table (SINKS: meter-batches.v1,
 * dead-letter.v1, receipts.v1, dr-events.v1). Rows from many records are buffered
 * and inserted together; a partition's offset is committed only after every row before it
 * is stored, so a crash or redelivery re-inserts rows that the tables' ReplacingMergeTree
 * keys fold into one. While ClickHouse does not answer, inserts are retried with backoff
 * and the consumer is paused (it keeps its group membership and heartbeats). When inserts
 * merely fall behind, the batch handler waits for the queue to shorten instead of pausing:
 * kafkajs polls a paused consumer only every maxWaitTimeInMs, which would stall a healthy
 * pipeline after every resume.
 */
export class Loader {
  readonly consumer: Consumer;
  /** Rejects when ClickHouse refuses rows for good (not retriable); the loader has stopped consuming. */
  readonly failed: Promise<never>;
  private readonly deps: LoaderDeps;
  private readonly options: LoaderOptions;
  private readonly metrics: LoaderMetrics;
  private readonly routes = new Map<string, Route>();
  private readonly buffer = new RowBuffer();
  private readonly queue: Slot[] = [];
  private readonly writes = new Set<Promise<void>>();
  private inFlight = 0;
  private readonly commits: OffsetCommits;
  private readonly pauseReasons = new Set<PauseReason>();
  private readonly abort = new AbortController();
  private waiters: (() => void)[] = [];
  private readonly turns = new EventLoopTurns(TURN_EVERY_MS);
  private ticker: NodeJS.Timeout | undefined;
  private stopDeadline: number | undefined;
  private rejectFailed!: (err: unknown) => void;

  constructor(deps: LoaderDeps) {
    this.deps = deps;
    this.options = { ...DEFAULT_LOADER_OPTIONS, ...deps.options };
    this.metrics = deps.metrics ?? NO_METRICS;
    const sinks = deps.sinks ?? SINKS;
    // A sink's own decoder (meter-batches.v1: rows from the records' Avro bytes), one per sink for all tenants.
    const decoders = new Map(sinks.flatMap((sink) => (sink.decoder ? [[sink, sink.decoder(deps.serde)] as const] : [])));
    for (const tenant of deps.tenants) {
      for (const sink of sinks) this.routes.set(topicName(tenant, TOPICS[sink.topic]), { tenant, sink, decoder: decoders.get(sink) });
    }
    this.failed = new Promise<never>((_, reject) => {
      this.rejectFailed = reject;
    });
    this.failed.catch(() => {});
    this.consumer = deps.kafka.consumer({
      groupId: this.options.groupId,
      readUncommitted: false,
      sessionTimeout: 30_000,
      // Also how long a paused consumer sleeps between polls, so it bounds the delay of a resume.
      maxWaitTimeInMs: 1_000,
      // 4 MiB a partition, 16 MiB a fetch: bench:loader measured 0.47 µs of node CPU per row
      // against 0.53–0.55 with 16/64 MiB (fresh 64 MiB responses cost page faults and
      // garbage collection) and 0.61–0.69 with 1/4 MiB. A record larger than the limit (up to
      // the topic's 32 MiB) still comes whole: the broker returns a partition's first batch
      // whatever its size (KIP-74).
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxBytes: 16 * 1024 * 1024,
    });
    this.commits = new OffsetCommits(this.consumer, deps.log, this.metrics);
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.fail(payload.error);
    });
    await this.consumer.subscribe({ topics: [...this.routes.keys()], fromBeginning: true });
    await this.consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (payload) => this.onBatch(payload) });
    this.ticker = setInterval(() => this.tick(), Math.max(10, Math.floor(this.options.maxDelayMs / 4)));
    this.ticker.unref();
  }

  /** Stores what is buffered (for at most stopTimeoutMs), commits it, and leaves the group. */
  async stop(): Promise<void> {
    if (this.stopDeadline !== undefined) return;
    this.stopDeadline = Date.now() + this.options.stopTimeoutMs;
    clearInterval(this.ticker);
    this.pause('stopping');
    this.flush();
    const giveUp = setTimeout(() => this.abort.abort(), this.options.stopTimeoutMs);
    try {
      while (this.writes.size > 0) await Promise.all(this.writes);
      await this.commits.commit();
    } finally {
      clearTimeout(giveUp);
      this.abort.abort();
      await this.consumer.disconnect();
    }
  }

  /** For operators and tests: whether consumption is paused and why, and what waits. */
  status(): { paused: boolean; pauseReasons: PauseReason[]; bufferedRows: number; queuedInserts: number; insertSlots: number; uncommittedPartitions: number } {
    return { paused: this.pauseReasons.size > 0, pauseReasons: [...this.pauseReasons], bufferedRows: this.buffer.rows, queuedInserts: this.queue.length, insertSlots: this.options.maxInFlightInserts, uncommittedPartitions: this.commits.pending };
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const route = this.routes.get(batch.topic);
    if (route === undefined) return;
    for (const message of batch.messages) {
      await this.turns.maybeTurn();
      // stop() or fail() may have run during the turn: what is buffered now is never inserted.
      if (!isRunning() || isStale() || this.pauseReasons.has('stopping') || this.pauseReasons.has('failed')) return;
      await this.accept(route, batch.topic, batch.partition, message);
      if (this.pauseReasons.has('failed')) return;
      resolveOffset(message.offset);
      if (this.buffer.rows >= this.options.maxRows) {
        this.flush();
        await this.roomInQueue(heartbeat);
      }
    }
    // Transaction markers after the last record need no row; committing past them keeps
    // the group's lag at zero once everything is stored.
    const last = batch.lastOffset();
    this.buffer.consumedUpTo(batch.topic, batch.partition, (BigInt(last) + 1n).toString());
    resolveOffset(last);
    this.commits.fetched(batch.topic, batch.partition, BigInt(batch.highWatermark), BigInt(batch.firstOffset() ?? last));
    await heartbeat();
  }

  /** Decodes one record into buffered rows. A retriable failure (registry down) is thrown, so kafkajs retries the record. */
  private async accept(route: Route, topic: string, partition: number, message: KafkaMessage): Promise<void> {
    const next = (BigInt(message.offset) + 1n).toString();
    const decoded = await decodeRecord(this.deps.serde, route.tenant, `${topic}/${partition}/${message.offset}`, message, this.deps.log, route.decoder);
    if ('deadLetter' in decoded) {
      this.buffer.addDeadLetters([decoded.deadLetter]);
      this.buffer.consumedUpTo(topic, partition, next);
      return;
    }
    const { value } = decoded;
    const { sink } = route;
    if (sink.topic === 'meterBatches') {
      const batch = value as MeterBatchRecord;
      const verdict = await this.deps.batchVerifier.check(batch, route.tenant, wireReadColumns(batch));
      if (!verdict.ok) {
        const sourceId = `${topic}/${partition}/${message.offset}`;
        this.deps.log.warn({ sourceId, batchId: batch.batchId, code: verdict.code, err: verdict.message }, 'batch record does not verify; stored as a dead letter, not as reads');
        this.buffer.addDeadLetters([loaderDeadLetter(route.tenant, sourceId, verdict.code, verdict.message, Number(message.timestamp), { batchId: String(batch.batchId), topic, partition: String(partition), offset: message.offset })]);
        this.buffer.consumedUpTo(topic, partition, next);
        return;
      }
    }
    // A sink that throws may have left half a row in the buffer: the loader stops before
    // that buffer is inserted (fail() blocks every INSERT), nothing after the last commit is lost.
    let outcome: SinkOutcome;
    try {
      outcome = sink.write(value, { tenant: route.tenant, partition, offset: message.offset, producedAtMs: Number(message.timestamp) }, this.buffer.writerFor(sink.table, sink.columns));
    } catch (cause) {
      this.fail(new IesError('IES_ERR_INTERNAL', `sink ${sink.topic} → ${sink.table} failed on ${topic}/${partition}/${message.offset}: ${(cause as Error).message}`, { cause }));
      return;
    }
    this.buffer.added(sink.table, outcome.rows);
    if (outcome.deadLetters.length > 0) {
      this.deps.log.warn({ topic, offset: message.offset, codes: [...new Set(outcome.deadLetters.map((d) => d.code))], count: outcome.deadLetters.length }, 'record cannot be stored as it is; stored as dead letters');
      this.buffer.addDeadLetters(outcome.deadLetters);
    }
    this.buffer.consumedUpTo(topic, partition, next);
  }

  private tick(): void {
    const since = this.buffer.since;
    if (since !== undefined && Date.now() - since >= this.options.maxDelayMs) this.flush();
    if (this.commits.pending > 0) void this.commits.commit();
  }

  /** Queues the buffer as one INSERT. */
  private flush(): void {
    if (this.buffer.isEmpty()) return;
    this.queue.push({ pending: this.buffer.take(), started: false, stored: false });
    this.startWrites();
  }

  /**
   * Back-pressure while ClickHouse answers: with every INSERT slot busy and one more
   * queued, the handler waits (heartbeating, so a slow insert does not cost the group
   * membership). It returns at once when the consumer is paused (ClickHouse down), so the
   * handler never blocks for long.
   */
  private async roomInQueue(heartbeat: () => Promise<void>): Promise<void> {
    while (this.queue.length > this.options.maxInFlightInserts && this.pauseReasons.size === 0) {
      await Promise.race([new Promise<void>((resolve) => this.waiters.push(resolve)), sleep(1_000, this.abort.signal)]);
      await heartbeat();
    }
  }

  private wakeWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private startWrites(): void {
    for (const slot of this.queue) {
      if (this.inFlight >= this.options.maxInFlightInserts || this.abort.signal.aborted || this.pauseReasons.has('failed')) return;
      if (slot.started) continue;
      slot.started = true;
      this.inFlight += 1;
      const write: Promise<void> = this.write(slot.pending)
        .then((stored) => {
          this.inFlight -= 1;
          if (!stored) return; // stop() gave up: the rows stay uncommitted and come back on redelivery
          slot.stored = true;
          this.settle();
          this.startWrites();
        }, (err: unknown) => {
          this.inFlight -= 1;
          this.fail(err);
        })
        .finally(() => this.writes.delete(write));
      this.writes.add(write);
    }
  }

  /** Stored slots at the head of the queue leave it; their offsets become committable. */
  private settle(): void {
    while (this.queue[0]?.stored) {
      const slot = this.queue.shift() as Slot;
      for (const o of slot.pending.offsets) this.commits.stored(o);
    }
    this.wakeWaiters();
    void this.commits.commit();
  }

  /** Inserts until it succeeds; false when stop() gave up waiting for ClickHouse. */
  private async write(pending: PendingInsert): Promise<boolean> {
    const parts = [...pending.tables];
    let attempt = 0;
    while (parts.length > 0) {
      const part = parts[0] as (typeof parts)[number];
      const started = performance.now();
      try {
        await insertEncoded(this.deps.clickhouse, part.table, part.columns, 'RowBinary', part.chunks);
        this.metrics.inserted(part.table, part.rows, (performance.now() - started) / 1000);
        parts.shift();
        attempt = 0;
        if (this.pauseReasons.has('clickhouse')) {
          this.deps.log.info({ table: part.table }, 'ClickHouse answers again; resuming consumption');
          this.resume('clickhouse');
        }
      } catch (cause) {
        const err = insertError(cause, part.table);
        this.metrics.insertFailed(part.table, err.retriable);
        if (!err.retriable) throw err;
        this.pause('clickhouse');
        const remaining = this.stopDeadline === undefined ? Infinity : this.stopDeadline - Date.now();
        if (remaining <= 0 || this.abort.signal.aborted) {
          this.deps.log.warn({ table: part.table, rows: part.rows }, 'stopping while ClickHouse is unavailable; the rows stay uncommitted and will be redelivered');
          return false;
        }
        const delay = Math.min(backoffMs(attempt, this.options.retry), remaining);
        this.deps.log.warn({ table: part.table, attempt, retryInMs: delay, err: err.message }, 'ClickHouse insert failed; consumption paused, retrying');
        attempt += 1;
        await sleep(delay, this.abort.signal);
      }
    }
    return true;
  }

  private pause(reason: PauseReason): void {
    const wasPaused = this.pauseReasons.size > 0;
    this.pauseReasons.add(reason);
    this.wakeWaiters();
    if (wasPaused) return;
    this.consumer.pause([...this.routes.keys()].map((topic) => ({ topic })));
    this.metrics.paused(true);
  }

  private resume(reason: PauseReason): void {
    if (!this.pauseReasons.delete(reason) || this.pauseReasons.size > 0) return;
    this.consumer.resume([...this.routes.keys()].map((topic) => ({ topic })));
    this.metrics.paused(false);
  }

  private fail(err: unknown): void {
    if (this.pauseReasons.has('failed')) return;
    this.deps.log.error({ err: (err as Error).message, code: (err as IesError).code }, 'loader stopped consuming: rows cannot be stored; nothing after the last commit is lost, fix and restart');
    this.pause('failed');
    this.rejectFailed(err);
  }
}
