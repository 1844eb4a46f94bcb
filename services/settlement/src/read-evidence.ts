import { type LogStore } from '@ies/notary/log';
import { checkpointOfNote, receiptFromJws } from '@ies/verify';
import type { CheckpointRef } from '@ies/verify';

/**
 * The notary checkpoints that cover the batches reads came from: each batch's receipt (in
 * the notary's Redis log store) names the signed checkpoint that includes the batch. A batch
 * without a receipt yet (the notary is behind) contributes nothing; `unreceipted` says which.
 * Memoised per instance: build one per sweep.
 */
export class ReadEvidence {
  private readonly cache = new Map<string, CheckpointRef | null>();
  readonly unreceipted = new Set<string>();

  constructor(private readonly logStore: LogStore) {}

  async of(batchIds: Iterable<string>): Promise<CheckpointRef[]> {
    const out: CheckpointRef[] = [];
    for (const batchId of batchIds) {
      let ref = this.cache.get(batchId);
      if (ref === undefined) {
        ref = await this.lookup(batchId);
        this.cache.set(batchId, ref);
      }
      if (ref !== null) out.push(ref);
    }
    return out;
  }

  private async lookup(batchId: string): Promise<CheckpointRef | null> {
    const jws = await this.logStore.receipt(batchId);
    if (jws === undefined) {
      this.unreceipted.add(batchId);
      return null;
    }
    const parsed = checkpointOfNote(receiptFromJws(jws).receipt.checkpoint);
    if (!parsed.ok) throw new Error(`receipt of batch ${batchId} carries a malformed checkpoint: ${parsed.reason}`);
    const { origin, size, rootHash } = parsed.checkpoint;
    return { origin, size, rootHash: Buffer.from(rootHash).toString('base64') };
  }
}
