import type { InvariantFailure, InvariantResult } from '../report.js';
import type { BatchRecord } from './records.js';

export interface AckedBatch {
  readonly batchId: string;
  readonly bodySha256: string;
  readonly at: number;
}

/** batchId → its records on meter-batches.v1, in topic order. */
export function recordsByBatch(records: readonly BatchRecord[]): Map<string, BatchRecord[]> {
  const by = new Map<string, BatchRecord[]>();
  for (const r of records) by.set(r.batchId, [...(by.get(r.batchId) ?? []), r]);
  return by;
}

/**
 * Invariant 1: every acked batch is on meter-batches.v1 exactly once with the body the
 * head-end signed; with a ledger, nothing of the day is there that was not acked. Without a
 * ledger only "at most once" can be judged. `inScope` picks the day's records, so another
 * day's batches are neither checked nor counted as unacked. An acked batch that is not on the
 * topic at all fails in every audit of the tenant: without its record no day can be told.
 */
export function checkBatches(acked: readonly AckedBatch[] | undefined, records: readonly BatchRecord[], inScope: (r: BatchRecord) => boolean): InvariantResult {
  const failures: InvariantFailure[] = [];
  const by = recordsByBatch(records);
  const ackedIds = new Set((acked ?? []).map((a) => a.batchId));
  let checked = 0;
  for (const a of acked ?? []) {
    const copies = by.get(a.batchId) ?? [];
    if (copies.length > 0 && !copies.some(inScope)) continue;
    checked += 1;
    if (copies.length === 0) failures.push({ record: `batch ${a.batchId}`, problem: `acked at ${new Date(a.at).toISOString()} but not on meter-batches.v1` });
    for (const c of copies) if (c.bodySha256 !== a.bodySha256) failures.push({ record: `batch ${a.batchId} at ${c.position}`, problem: `bodySha256 ${c.bodySha256} on the topic, ${a.bodySha256} acked` });
  }
  for (const [batchId, copies] of by) {
    if (!copies.some(inScope)) continue;
    checked += 1;
    if (copies.length > 1) failures.push({ record: `batch ${batchId}`, problem: `on meter-batches.v1 ${copies.length} times (${copies.map((c) => c.position).join(', ')})` });
    if (acked !== undefined && !ackedIds.has(batchId)) failures.push({ record: `batch ${batchId} at ${copies[0]!.position}`, problem: 'on meter-batches.v1 but never acked (not in the ledger)' });
  }
  return { id: 'I1', title: 'acked batches on meter-batches.v1 exactly once', checked, failures };
}
