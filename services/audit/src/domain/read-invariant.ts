import type { InvariantFailure, InvariantResult } from '../report.js';
import type { BatchRead, BatchRecord, DeadLetterRecord, StoredReadGroup } from './records.js';

const keyOf = (meterId: string, blockStart: number, channel: string, batchId: string) => `${meterId}|${blockStart}|${channel}|${batchId}`;
const nameOf = (meterId: string, blockStart: number, channel: string, batchId: string) => `read ${meterId} ${new Date(blockStart).toISOString()} ${channel} of batch ${batchId}`;

/**
 * Invariant 2: each accepted read of the accepted batch records (those `readInScope` keeps:
 * the rows query selects the same ones) is in ClickHouse's `reads`
 * exactly once per (meter, block, channel, version), the version being the batch that
 * carried it, at its leaf index and with its Wh; no row is there that no accepted batch
 * carried; each rejected read is dead-lettered exactly once (fan-out: source `<batch>#<index>`).
 *
 * Unmerged copies of one key are what redelivery leaves until ReplacingMergeTree folds them,
 * so they pass when they agree; copies that disagree (two Wh for one key) fail, since a
 * merge would keep one of them arbitrarily.
 */
export function checkReads(batches: readonly BatchRecord[], rows: readonly StoredReadGroup[], deadLetters: readonly DeadLetterRecord[], readInScope: (b: BatchRecord, r: BatchRead) => boolean = () => true): InvariantResult {
  const failures: InvariantFailure[] = [];
  const expected = new Map<string, { wh: number; index: number }>();
  let checked = 0;
  for (const b of batches) {
    b.reads.forEach((r, index) => {
      if (!readInScope(b, r)) return;
      const key = keyOf(r.meterId, r.blockStart, r.channel, b.batchId);
      if (expected.has(key)) failures.push({ record: nameOf(r.meterId, r.blockStart, r.channel, b.batchId), problem: `the batch record carries it twice (leaves ${expected.get(key)!.index} and ${index})` });
      expected.set(key, { wh: r.wh, index });
    });
  }
  const seen = new Set<string>();
  for (const g of rows) {
    checked += 1;
    const key = keyOf(g.meterId, g.blockStart, g.channel, g.batchId);
    const name = nameOf(g.meterId, g.blockStart, g.channel, g.batchId);
    seen.add(key);
    const want = expected.get(key);
    if (want === undefined) {
      failures.push({ record: name, problem: `in ClickHouse reads (Wh ${g.whs.join('/')}) but no accepted batch record carries this read under that version` });
      continue;
    }
    if (g.whs.length !== 1 || g.whs[0] !== want.wh) failures.push({ record: name, problem: `ClickHouse has Wh ${g.whs.join(' and ')}, the batch record ${want.wh}` });
    if (g.indexes.length !== 1 || g.indexes[0] !== want.index) failures.push({ record: name, problem: `ClickHouse has leaf index ${g.indexes.join(' and ')}, the batch record ${want.index}` });
  }
  for (const [key, want] of expected) {
    if (seen.has(key)) continue;
    checked += 1;
    const [meterId, blockStart, channel, ...batch] = key.split('|');
    failures.push({ record: nameOf(meterId!, Number(blockStart), channel!, batch.join('|')), problem: `accepted (leaf ${want.index}, ${want.wh} Wh) but not in ClickHouse reads` });
  }
  const letters = new Map<string, DeadLetterRecord[]>();
  for (const d of deadLetters) if (d.stage === 'gateway') letters.set(d.sourceId, [...(letters.get(d.sourceId) ?? []), d]);
  for (const b of batches) {
    for (const r of b.rejected) {
      checked += 1;
      const source = `${b.batchId}#${r.index}`;
      const copies = letters.get(source) ?? [];
      if (copies.length === 0) failures.push({ record: `rejected read ${source}${r.meterId === null ? '' : ` (${r.meterId})`}`, problem: `rejected with ${r.code} but not on dead-letter.v1` });
      else if (copies.length > 1) failures.push({ record: `rejected read ${source}`, problem: `dead-lettered ${copies.length} times (${copies.map((c) => c.position).join(', ')})` });
    }
  }
  return { id: 'I2', title: 'accepted reads in ClickHouse once, rejected reads dead-lettered once', checked, failures };
}
