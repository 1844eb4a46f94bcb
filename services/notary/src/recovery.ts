import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { RFC6962_SHA256 } from '@ies/merkle';
import type { AvroSerde } from '@ies/kafka';
import type { Logger } from '@ies/observability';
import { AppendWindow, compactRangeRoot, EMPTY_RANGE, type CompactRange } from './domain/append-window.js';
import { checkpointOfNote } from '@ies/verify';
import { logEntryBytes } from '@ies/verify';
import type { ReceiptBody } from '@ies/verify';
import { newStoredNodes } from './domain/tiles.js';
import type { AppliedState, LogStore } from './log-store.js';
import { TenantLog } from './tenant-log.js';

type ReceiptRecord = ReceiptBody & { jws: string };

/**
 * Brings a tenant's log back to exactly what receipts.v1 (the durable log) holds, after the
 * caller's transactional producer fenced any earlier writer:
 * 1. from the Redis projection's last applied point, replay the receipts committed after it
 *    (a crash between a Kafka commit and its projection leaves such a tail), rebuilding tiles
 *    one transaction at a time and checking each rebuilt root against that transaction's
 *    signed checkpoint;
 * 2. read the compact range back from the tiles and check its root against the last
 *    checkpoint, and that the first and last entries' bytes are there (entry bundles). If the
 *    projection is damaged, rebuild it from offset 0 once; if that still disagrees, refuse to start.
 */
export async function recoverTenantLog(opts: { kafka: Kafka; admin: Admin; serde: AvroSerde; store: LogStore; log: TenantLog; receiptsTopic: string; logger: Logger }): Promise<void> {
  const { store, log, logger } = opts;
  for (const attempt of ['incremental', 'rebuild'] as const) {
    if (attempt === 'rebuild') {
      logger.warn({ discomId: log.discomId }, 'log projection disagrees with receipts.v1; rebuilding it from the start of the topic');
      await store.clear();
    }
    const started = Date.now();
    let applied = await store.applied();
    const [{ high } = { high: '0' }] = await opts.admin.fetchTopicOffsets(opts.receiptsTopic);
    if (BigInt(applied?.nextOffset ?? '0') < BigInt(high)) applied = await replay(opts, applied, high);
    const size = applied?.size ?? 0;
    const range: CompactRange = size === 0 ? EMPTY_RANGE : await TenantLog.rangeFromStore(store, size).catch(() => ({ size: -1, hashes: [] }));
    // A projection written before entries were kept (or that lost them) lacks entry bytes: rebuild it.
    const entriesKept = size === 0 || (await store.hasEntries([0, size - 1]));
    if (size === 0 || (range.size === size && sameRoot(compactRangeRoot(range), applied!.checkpoint) && entriesKept)) {
      log.restore(range, applied?.checkpoint);
      logger.info({ discomId: log.discomId, size, ms: Date.now() - started }, 'log recovered');
      return;
    }
  }
  throw new Error(`the log of ${log.discomId} cannot be recovered: the tiles rebuilt from receipts.v1 do not match its last signed checkpoint`);
}

function sameRoot(root: Uint8Array, note: string): boolean {
  const parsed = checkpointOfNote(note);
  return parsed.ok && Buffer.from(parsed.checkpoint.rootHash).equals(Buffer.from(root));
}

async function replay(opts: { kafka: Kafka; serde: AvroSerde; store: LogStore; log: TenantLog; receiptsTopic: string; logger: Logger }, from: AppliedState | undefined, high: string): Promise<AppliedState | undefined> {
  const { store, log, logger } = opts;
  let range: CompactRange = from && from.size > 0 ? await TenantLog.rangeFromStore(store, from.size) : EMPTY_RANGE;
  let applied = from;
  let chunk: ReceiptRecord[] = [];
  const consumer = opts.kafka.consumer({ groupId: `ies-notary-recovery-${log.discomId}-${randomUUID()}`, readUncommitted: false, maxBytesPerPartition: 16 * 1024 * 1024 });
  await consumer.connect();
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (err: unknown) => reject(err instanceof Error ? err : new Error(String(err)));
      consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
        if (e.payload.offsetLag === '0' && chunk.length === 0) resolve();
      });
      consumer
        .subscribe({ topic: opts.receiptsTopic, fromBeginning: true })
        .then(() =>
          consumer.run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              try {
                for (const message of batch.messages) {
                  const r = await opts.serde.decode<ReceiptRecord>(message.value as Buffer);
                  const expected = range.size + chunk.length;
                  if (r.logIndex < expected) continue; // already projected (a replay overlapping the applied point)
                  if (r.logIndex !== expected) throw new Error(`receipts.v1 of ${log.discomId} jumps from log index ${expected - 1} to ${r.logIndex} at offset ${message.offset}`);
                  chunk.push(r);
                  const cp = checkpointOfNote(r.checkpoint);
                  if (!cp.ok) throw new Error(`receipt ${r.batchId} carries a malformed checkpoint: ${cp.reason}`);
                  if (cp.checkpoint.size !== r.logIndex + 1) continue; // the transaction goes on
                  const w = new AppendWindow(range, chunk.map((c) => RFC6962_SHA256.hashLeaf(logEntryBytes(c))));
                  if (!Buffer.from(w.root()).equals(Buffer.from(cp.checkpoint.rootHash))) throw new Error(`receipts.v1 of ${log.discomId} up to index ${r.logIndex} does not hash to its signed checkpoint`);
                  applied = { size: w.size, nextOffset: (BigInt(message.offset) + 1n).toString(), checkpoint: r.checkpoint };
                  await store.apply({
                    applied,
                    nodes: newStoredNodes(range.size, w.size).map((id) => ({ id, hash: w.node(id) })),
                    receipts: chunk.map((c) => ({ batchId: c.batchId, jws: c.jws })),
                    entries: chunk.map((c) => ({ index: c.logIndex, bytes: logEntryBytes(c) })),
                  });
                  range = w.compactRange();
                  chunk = [];
                }
              } catch (err) {
                fail(err);
                throw err;
              }
            },
          }),
        )
        .then(() => consumer.seek({ topic: opts.receiptsTopic, partition: 0, offset: from?.nextOffset ?? '0' }))
        .catch(fail);
      logger.info({ discomId: log.discomId, fromOffset: from?.nextOffset ?? '0', high }, 'replaying receipts.v1 into the log projection');
    });
  } finally {
    await consumer.disconnect();
  }
  return applied;
}
