import type { Redis } from '@ies/redis';
import { nodeKey, type NodeId } from '@ies/merkle';
import { foldTileSlice, HASH_SIZE, tileSliceOf, TILE_WIDTH } from '@ies/merkle';
import { tileBytes } from './domain/tlog-layout.js';

/** How far the Redis projection of a tenant's log has applied receipts.v1. */
export interface AppliedState {
  readonly size: number;
  /** receipts.v1 offset to replay from to bring the projection up to date. */
  readonly nextOffset: string;
  /** The latest signed checkpoint (size = `size`). */
  readonly checkpoint: string;
}

export interface CommittedAppend {
  readonly applied: AppliedState;
  /** Tile-level nodes that became complete, with their hashes (tiles.ts newStoredNodes). */
  readonly nodes: readonly { readonly id: NodeId; readonly hash: Uint8Array }[];
  readonly receipts: readonly { readonly batchId: string; readonly jws: string }[];
  /** The appended entries' bytes (the log leaf data) by log index: the entry bundles' source. */
  readonly entries: readonly { readonly index: number; readonly bytes: Uint8Array }[];
}

export interface NotaryBacklog {
  readonly oldestUnreceiptedAcceptedAt: number | null;
  readonly checkpointIntervalMs: number;
}

/**
 * How long past its checkpoint interval the oldest batch without a receipt has waited: 0
 * while every batch is still within the one interval any batch may wait for its append.
 */
export function notaryOverdueMs(backlog: NotaryBacklog | undefined, nowMs: number): number {
  if (!backlog || backlog.oldestUnreceiptedAcceptedAt === null) return 0;
  return Math.max(0, nowMs - backlog.oldestUnreceiptedAcceptedAt - backlog.checkpointIntervalMs);
}

/**
 * The served copy of a tenant's log in Redis: tiles, entries by index, receipts by batch id, checkpoints. It
 * is a projection of receipts.v1 (the durable log), written only after the Kafka transaction
 * that appended the entries committed, one MULTI per append so a reader never sees a
 * checkpoint whose tiles are missing. Readers serve proofs only up to the stored checkpoint.
 */
export class LogStore {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    readonly discomId: string,
  ) {
    this.prefix = `ies:${discomId}:log:`;
  }

  private tileKey(level: number, index: number): string {
    return `${this.prefix}tile:${level}:${index}`;
  }

  /** Entry bundle n: a hash of the entries [256n, 256n + 256), field = position in the bundle (idempotent on replay). */
  private bundleKey(index: number): string {
    return `${this.prefix}entries:${index}`;
  }

  async applied(): Promise<AppliedState | undefined> {
    const raw = await this.redis.get(`${this.prefix}applied`);
    return raw === null ? undefined : (JSON.parse(raw) as AppliedState);
  }

  async apply(append: CommittedAppend): Promise<void> {
    const tx = this.redis.multi();
    for (const { id, hash } of append.nodes) {
      const s = tileSliceOf(id);
      tx.setrange(this.tileKey(s.tileLevel, s.tileIndex), s.offset * HASH_SIZE, Buffer.from(hash));
    }
    // One MSET for the receipts and one HSET per entry bundle: the same keys and values as a
    // command per receipt and entry, with fewer commands to build, queue and answer.
    if (append.receipts.length > 0) tx.mset(append.receipts.flatMap((r) => [`${this.prefix}receipt:${r.batchId}`, r.jws]));
    const bundles = new Map<number, (string | Buffer)[]>();
    for (const e of append.entries) {
      const bundle = Math.floor(e.index / TILE_WIDTH);
      let fields = bundles.get(bundle);
      if (fields === undefined) bundles.set(bundle, (fields = []));
      fields.push(String(e.index % TILE_WIDTH), Buffer.from(e.bytes));
    }
    for (const [bundle, fields] of bundles) tx.hset(this.bundleKey(bundle), ...fields);
    tx.set(`${this.prefix}checkpoint`, append.applied.checkpoint);
    tx.zadd(`${this.prefix}checkpoints`, append.applied.size, append.applied.checkpoint);
    tx.set(`${this.prefix}applied`, JSON.stringify(append.applied));
    const results = await tx.exec();
    const failed = results?.find(([err]) => err !== null);
    if (!results || failed) throw new Error(`Redis refused the log projection update: ${failed?.[0]?.message ?? 'transaction discarded'}`);
  }

  /** Drops the projection (before a rebuild from receipts.v1). */
  async clear(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await this.redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }

  /** Perfect nodes from the tiles, one round trip (GETRANGE per node). */
  async nodes(ids: readonly NodeId[]): Promise<Uint8Array[]> {
    if (ids.length === 0) return [];
    const pipe = this.redis.pipeline();
    const slices = ids.map((id) => tileSliceOf(id));
    for (const s of slices) pipe.getrangeBuffer(this.tileKey(s.tileLevel, s.tileIndex), s.offset * HASH_SIZE, (s.offset + s.count) * HASH_SIZE - 1);
    const results = (await pipe.exec()) ?? [];
    return slices.map((s, i) => {
      const [err, bytes] = results[i] ?? [new Error('no reply'), null];
      if (err) throw err;
      const buf = bytes as Buffer;
      if (buf.length !== s.count * HASH_SIZE) throw new Error(`log tile ${s.tileLevel}/${s.tileIndex} lacks node ${nodeKey(ids[i]!)} (${buf.length} of ${s.count * HASH_SIZE} bytes; width ${TILE_WIDTH})`);
      return foldTileSlice(new Uint8Array(buf), s);
    });
  }

  /**
   * The first `width` hashes of tile (level, index) as stored (a C2SP tile of that width), or
   * undefined while the store holds fewer. Callers bound `width` by a signed checkpoint.
   */
  async tile(level: number, index: number, width: number): Promise<Buffer | undefined> {
    const bytes = await this.redis.getrangeBuffer(this.tileKey(level, index), 0, tileBytes(width) - 1);
    return bytes.length === tileBytes(width) ? bytes : undefined;
  }

  /** The bytes of entries [256·index, 256·index + width), in order, or undefined if any is missing. */
  async bundleEntries(index: number, width: number): Promise<Buffer[] | undefined> {
    const fields = Array.from({ length: width }, (_, i) => String(i));
    const values = await this.redis.hmgetBuffer(this.bundleKey(index), ...fields);
    return values.every((v): v is Buffer => v !== null) ? values : undefined;
  }

  /** Whether the entries at these log indices are stored (recovery checks a projection made before entries were kept). */
  async hasEntries(indices: readonly number[]): Promise<boolean> {
    if (indices.length === 0) return true;
    const pipe = this.redis.pipeline();
    for (const i of indices) pipe.hexists(this.bundleKey(Math.floor(i / TILE_WIDTH)), String(i % TILE_WIDTH));
    const results = (await pipe.exec()) ?? [];
    return indices.every((_, k) => results[k]?.[1] === 1);
  }

  async receipt(batchId: string): Promise<string | undefined> {
    return (await this.redis.get(`${this.prefix}receipt:${batchId}`)) ?? undefined;
  }

  /**
   * What an append checks first, in one round trip: how far the projection stands (`applied`)
   * and which of `batchIds` already have a receipt (`existingReceipts`).
   */
  async appendState(batchIds: readonly string[]): Promise<{ applied: AppliedState | undefined; existing: Set<string> }> {
    const pipe = this.redis.pipeline();
    pipe.get(`${this.prefix}applied`);
    for (const id of batchIds) pipe.exists(`${this.prefix}receipt:${id}`);
    const results = (await pipe.exec()) ?? [];
    const [err, raw] = results[0] ?? [new Error('no reply'), null];
    if (err) throw err;
    return { applied: raw === null ? undefined : (JSON.parse(raw as string) as AppliedState), existing: new Set(batchIds.filter((_, i) => results[i + 1]?.[1] === 1)) };
  }

  async existingReceipts(batchIds: readonly string[]): Promise<Set<string>> {
    if (batchIds.length === 0) return new Set();
    const pipe = this.redis.pipeline();
    for (const id of batchIds) pipe.exists(`${this.prefix}receipt:${id}`);
    const results = (await pipe.exec()) ?? [];
    return new Set(batchIds.filter((_, i) => results[i]?.[1] === 1));
  }

  async checkpoint(): Promise<string | undefined> {
    return (await this.redis.get(`${this.prefix}checkpoint`)) ?? undefined;
  }

  /** The stored checkpoint of exactly `size` entries, if one was signed at that size. */
  async checkpointAt(size: number): Promise<string | undefined> {
    const [note] = await this.redis.zrangebyscore(`${this.prefix}checkpoints`, size, size, 'LIMIT', 0, 1);
    return note;
  }

  /**
   * How far behind the writer is: the acceptance time of the oldest batch it holds without a
   * receipt yet (waiting for the next append or inside the running one; null when it holds
   * none), and its checkpoint interval, the wait every batch may have. Kept for 5 s, so a
   * stopped notary is not reported as a live backlog.
   */
  async publishBacklog(backlog: NotaryBacklog): Promise<void> {
    await this.redis.set(`${this.prefix}backlog`, JSON.stringify(backlog), 'PX', 5_000);
  }

  async backlog(): Promise<NotaryBacklog | undefined> {
    const raw = await this.redis.get(`${this.prefix}backlog`);
    return raw === null ? undefined : (JSON.parse(raw) as NotaryBacklog);
  }

  /** The notary's public keys: JWKS and note verifier keys, newest first. */
  async publishKeys(keys: { jwks: readonly object[]; verifierKeys: readonly string[]; mlDsaVerifierKeys?: readonly string[] }): Promise<void> {
    await this.redis.set(`${this.prefix}keys`, JSON.stringify(keys));
  }

  async keys(): Promise<{ jwks: object[]; verifierKeys: string[]; mlDsaVerifierKeys?: string[] } | undefined> {
    const raw = await this.redis.get(`${this.prefix}keys`);
    return raw === null ? undefined : (JSON.parse(raw) as { jwks: object[]; verifierKeys: string[]; mlDsaVerifierKeys?: string[] });
  }
}
