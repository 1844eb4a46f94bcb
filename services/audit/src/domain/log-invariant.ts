import { RFC6962_SHA256, consistencyProofFromTree, rootFromLeafHashes, verifyConsistency } from '@ies/merkle';
import { canonicalReadBytes, checkpointOfNote, receiptFromJws, verifyCheckpoint, verifyReceipt, type Checkpoint, type TrustAnchors } from '@ies/verify';
import type { InvariantFailure, InvariantResult } from '../report.js';
import type { BatchRecord, ReceiptRecord } from './records.js';
import { RebuiltLog } from './rebuilt-log.js';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const ENTRY_FIELDS = ['batchId', 'discomId', 'headEndId', 'readCount', 'batchRoot', 'acceptedAt', 'logIndex', 'checkpoint'] as const;

export interface LogInput {
  readonly discomId: string;
  /** The log's origin (`<IES_NOTARY_ORIGIN_PREFIX>/<discom>`): checkpoints of another log fail. */
  readonly origin: string;
  /** The day's accepted batch records, one per batch id. */
  readonly batches: readonly BatchRecord[];
  /** Every record of the tenant's receipts.v1, in topic order (the log is not cut by day). */
  readonly receipts: readonly ReceiptRecord[];
  /** Signed checkpoints seen elsewhere (the notary's latest), checked like the receipts' own. */
  readonly extraCheckpoints: readonly string[];
  /** The notary's public keys; without them nothing signed can be trusted, so every signature check fails. */
  readonly trust: TrustAnchors | undefined;
}

/** The batch root the notary should have signed for a record: the RFC 6962 root over its reads' canonical bytes. */
export function batchRootOf(batch: BatchRecord): string {
  return b64(rootFromLeafHashes(RFC6962_SHA256, batch.reads.map((r) => RFC6962_SHA256.hashLeaf(canonicalReadBytes({ ...r, discomId: batch.discomId })))));
}

/**
 * Invariant 3: one log entry and one receipt per accepted batch, with the batch root its
 * reads give; each receipt verifies (notary JWS, its checkpoint, inclusion); the log rebuilt
 * from receipts.v1 has the root of every signed checkpoint found; no two checkpoints of one
 * size differ; each checkpoint is consistent with the next larger one (RFC 6962 proof built
 * from the rebuilt log and verified against the two signed roots).
 */
export async function checkLog(input: LogInput): Promise<{ result: InvariantResult; log: RebuiltLog }> {
  const log = new RebuiltLog(input.discomId, input.origin, input.receipts);
  const failures: InvariantFailure[] = [...log.failures];
  const trust = input.trust === undefined ? undefined : { ...input.trust, origin: input.origin };
  if (trust === undefined) failures.push({ record: `notary key of ${input.discomId}`, problem: 'no verifier key: no receipt or checkpoint signature could be checked' });
  const byBatch = new Map(input.receipts.map((r) => [r.batchId, r]));
  for (const r of input.receipts) {
    const name = `receipt of batch ${r.batchId} at ${r.position}`;
    let signed: Record<string, unknown>;
    try {
      signed = receiptFromJws(r.jws).receipt as unknown as Record<string, unknown>;
    } catch (err) {
      failures.push({ record: name, problem: `its JWS does not decode: ${(err as Error).message}` });
      continue;
    }
    const differs = ENTRY_FIELDS.filter((f) => signed[f] !== r[f]);
    if (differs.length > 0) failures.push({ record: name, problem: `the record's ${differs.join(', ')} differ from what the notary signed` });
    if (trust === undefined) continue;
    const verified = await verifyReceipt(receiptFromJws(r.jws), trust);
    if (!verified.ok) failures.push({ record: name, problem: `${verified.code}: ${verified.reason}` });
  }
  for (const b of input.batches) {
    const indexes = log.indexesOf.get(b.batchId) ?? [];
    if (indexes.length === 0) failures.push({ record: `batch ${b.batchId} at ${b.position}`, problem: 'accepted but has no log entry (no receipt on receipts.v1)' });
    const receipt = byBatch.get(b.batchId);
    if (receipt !== undefined && receipt.batchRoot !== batchRootOf(b)) failures.push({ record: `batch ${b.batchId}`, problem: `its receipt has batch root ${receipt.batchRoot}, its reads give ${batchRootOf(b)}` });
  }
  const notes = [...new Set([...input.receipts.map((r) => r.checkpoint), ...input.extraCheckpoints])];
  const checkpoints: Checkpoint[] = [];
  for (const note of notes) {
    const verified = trust === undefined ? checkpointOfNote(note) : verifyCheckpoint(note, trust);
    const parsed = checkpointOfNote(note);
    const name = parsed.ok ? `checkpoint ${parsed.checkpoint.origin} size ${parsed.checkpoint.size}` : 'a checkpoint';
    if (!verified.ok) {
      failures.push({ record: name, problem: 'code' in verified ? `${verified.code}: ${verified.reason}` : verified.reason });
      continue;
    }
    const cp = verified.checkpoint;
    const rebuilt = log.rootAt(cp.size);
    if (rebuilt === undefined) failures.push({ record: name, problem: `is beyond the log rebuilt from receipts.v1 (${log.size} entries)` });
    else if (rebuilt !== b64(cp.rootHash)) failures.push({ record: name, problem: `signs root ${b64(cp.rootHash)}; the log rebuilt from receipts.v1 has ${rebuilt}` });
    checkpoints.push(cp);
  }
  failures.push(...forks(checkpoints), ...inconsistencies(log, checkpoints));
  const checked = input.receipts.length + input.batches.length + notes.length;
  return { result: { id: 'I3', title: 'one log entry and receipt per batch; log rebuilt from receipts.v1 has every checkpoint', checked, failures }, log };
}

/** Two signed checkpoints of one size with different roots: the log forked (split view). */
function forks(checkpoints: readonly Checkpoint[]): InvariantFailure[] {
  const roots = new Map<number, Set<string>>();
  for (const cp of checkpoints) roots.set(cp.size, (roots.get(cp.size) ?? new Set()).add(b64(cp.rootHash)));
  return [...roots].filter(([, r]) => r.size > 1).map(([size, r]) => ({ record: `checkpoints of size ${size}`, problem: `${r.size} different signed roots: ${[...r].join(', ')}` }));
}

/** Each checkpoint against the next larger one, with a consistency proof from the rebuilt log. */
function inconsistencies(log: RebuiltLog, checkpoints: readonly Checkpoint[]): InvariantFailure[] {
  const bySize = [...new Map(checkpoints.filter((c) => c.size <= log.size).map((c) => [c.size, c])).values()].sort((a, b) => a.size - b.size);
  const out: InvariantFailure[] = [];
  for (let i = 1; i < bySize.length; i++) {
    const [a, b] = [bySize[i - 1]!, bySize[i]!];
    const proof = consistencyProofFromTree(RFC6962_SHA256, log.tree, a.size, b.size);
    const result = verifyConsistency(RFC6962_SHA256, a.size, b.size, proof, a.rootHash, b.rootHash);
    if (!result.ok) out.push({ record: `checkpoints of sizes ${a.size} and ${b.size}`, problem: `not consistent: ${result.reason}` });
  }
  return out;
}
