import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { IesError } from '@ies/errors';

/** What the node remembers of one message id (per tenant and sender). */
export type IdempotencyRecord =
  | { state: 'PENDING'; bodySha256: string; since: number; token: string }
  | { state: 'DONE'; bodySha256: string; status: number; response: unknown };

export type ClaimResult = { claimed: true; token: string } | { claimed: false; existing: IdempotencyRecord };

// Compare-and-set on the claim's token: a late-settling writer can never overwrite or
// delete a record that another writer (after the claim expired) now owns.
const COMPLETE_IF_OWNER = `local v = redis.call('GET', KEYS[1])
if v and cjson.decode(v).token == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) return 1 end
return 0`;
const RELEASE_IF_OWNER = `local v = redis.call('GET', KEYS[1])
if v and cjson.decode(v).token == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end
return 0`;
// One script so the marker check and the claim cannot be split by a Redis loss: a claim
// only succeeds against a ledger that is whole (KEYS[2], the tenant's marker, is present).
const CLAIM_IF_LEDGER_WHOLE = `if ARGV[3] == '1' and redis.call('EXISTS', KEYS[2]) == 0 then return {'REBUILDING'} end
if redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2], 'NX') then return {'CLAIMED'} end
local v = redis.call('GET', KEYS[1])
if v then return {'EXISTS', v} end
return {'EXPIRED'}`;
// The marker is set only by the rebuild whose run key survived: a Redis loss during the
// rebuild drops the run key with the records written so far, so that rebuild cannot mark
// an empty ledger whole. Several gateways may finish at once; each SET writes the same fact.
const MARK_WHOLE_IF_RUN_SURVIVED = `if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
return 1`;

/** A DONE record rebuilt from a durable topic, for `restoreDone`. */
export interface RestoredRecord {
  senderId: string;
  messageId: string;
  bodySha256: string;
  status: number;
  response: unknown;
  ttlSeconds: number;
}

/**
 * Replay protection and idempotent retries for signed writes, in Redis. A write first
 * claims its message id (SET NX, PENDING with a token); when it is durably handled the
 * record becomes DONE with the response, kept for the replay window. Completion and
 * release only act on the caller's own claim. A claim whose Kafka write is uncertain is
 * kept until `pendingTtlSeconds`, longer than any send can take, so a retry cannot write
 * the batch a second time while the first write may still land.
 *
 * The records live only in Redis, so each tenant has a marker (`ies:<discom>:msg:ledger`,
 * no TTL) saying its ledger is whole. A Redis that came back empty has no marker, and every
 * claim is refused (503, retriable) until the gateway's ledger keeper has rebuilt the
 * records from `meter-batches.v1` and set the marker; otherwise a retried batch would be
 * claimed anew and written twice. Only the `guardedTenants` (the hosted tenants, whose
 * ledgers the keeper rebuilds) wait for a marker: the node's own scope (`NODE`, operator
 * registry writes) and peer DISCOMs' scopes have no topic to rebuild from and are claimed
 * as before.
 */
export class IdempotencyStore {
  private readonly guarded: ReadonlySet<string>;

  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
    private readonly pendingTtlSeconds = 300,
    options: { guardedTenants?: readonly string[] } = {},
  ) {
    this.guarded = new Set(options.guardedTenants ?? []);
  }

  private key(discomId: string, senderId: string, messageId: string): string {
    return `ies:${discomId}:msg:${senderId}:${messageId}`;
  }

  /** Two colons after `msg` in every message key, none in these: they cannot collide. */
  private markerKey(discomId: string): string {
    return `ies:${discomId}:msg:ledger`;
  }

  private runKey(discomId: string, runId: string): string {
    return `ies:${discomId}:msg:ledger-rebuild-${runId}`;
  }

  async claim(discomId: string, senderId: string, messageId: string, bodySha256: string, nowMs: number): Promise<ClaimResult> {
    try {
      return await this.tryClaim(discomId, senderId, messageId, bodySha256, nowMs);
    } catch (cause) {
      if (cause instanceof IesError) throw cause;
      throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `Redis did not answer while claiming message ${messageId}: ${(cause as Error).message}; nothing was written`, { cause, details: { retryAfterSeconds: 5 } });
    }
  }

  private async tryClaim(discomId: string, senderId: string, messageId: string, bodySha256: string, nowMs: number): Promise<ClaimResult> {
    const key = this.key(discomId, senderId, messageId);
    const token = randomUUID();
    const pending: IdempotencyRecord = { state: 'PENDING', bodySha256, since: nowMs, token };
    const [outcome, raw] = (await this.redis.eval(CLAIM_IF_LEDGER_WHOLE, 2, key, this.markerKey(discomId), JSON.stringify(pending), String(this.pendingTtlSeconds), this.guarded.has(discomId) ? '1' : '0')) as [string, string?];
    if (outcome === 'REBUILDING') {
      throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `the replay ledger of ${discomId} is being rebuilt (Redis lost it); message ${messageId} was not claimed, retry it unchanged`, { details: { retryAfterSeconds: 5 } });
    }
    if (outcome === 'CLAIMED') return { claimed: true, token };
    if (outcome === 'EXPIRED' || raw === undefined) return this.tryClaim(discomId, senderId, messageId, bodySha256, nowMs); // expired in between
    return { claimed: false, existing: JSON.parse(raw) as IdempotencyRecord };
  }

  /**
   * True when claims of the tenant wait for its marker (a hosted tenant of a gateway that
   * keeps the ledger). Front doors whose writes change another store rebuilt from a topic
   * (DR events, P2P trades) then also wait for that store's marker.
   */
  guards(discomId: string): boolean {
    return this.guarded.has(discomId);
  }

  /** True when the tenant's ledger is whole (claims are taken). */
  async ledgerWhole(discomId: string): Promise<boolean> {
    return (await this.redis.exists(this.markerKey(discomId))) === 1;
  }

  /** Starts a rebuild: its run key must outlive it (`ttlSeconds`) for `markWhole` to succeed. */
  async beginRebuild(discomId: string, runId: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.runKey(discomId, runId), String(Date.now()), 'EX', ttlSeconds);
  }

  /** Writes a rebuilt DONE record unless one exists (a live claim or another rebuilder's copy wins). */
  async restoreDone(discomId: string, r: RestoredRecord): Promise<boolean> {
    if (r.ttlSeconds <= 0) return false;
    const record: IdempotencyRecord = { state: 'DONE', bodySha256: r.bodySha256, status: r.status, response: r.response };
    return (await this.redis.set(this.key(discomId, r.senderId, r.messageId), JSON.stringify(record), 'EX', r.ttlSeconds, 'NX')) === 'OK';
  }

  /** Marks the ledger whole if this rebuild's run key survived; false means rebuild again. */
  async markWhole(discomId: string, runId: string): Promise<boolean> {
    const done = await this.redis.eval(MARK_WHOLE_IF_RUN_SURVIVED, 2, this.markerKey(discomId), this.runKey(discomId, runId), JSON.stringify({ rebuiltAt: new Date().toISOString(), runId }));
    return done === 1;
  }

  /** Records the final response, if the claim is still the caller's. */
  async complete(discomId: string, senderId: string, messageId: string, token: string, bodySha256: string, status: number, response: unknown): Promise<boolean> {
    const record: IdempotencyRecord = { state: 'DONE', bodySha256, status, response };
    const done = await this.redis.eval(COMPLETE_IF_OWNER, 1, this.key(discomId, senderId, messageId), token, JSON.stringify(record), String(this.ttlSeconds));
    return done === 1;
  }

  /** The accepted record of a message, if the write completed (e.g. to tell a pending receipt from an unknown batch). */
  async accepted(discomId: string, senderId: string, messageId: string): Promise<boolean> {
    const raw = await this.redis.get(this.key(discomId, senderId, messageId));
    if (raw === null) return false;
    const record = JSON.parse(raw) as IdempotencyRecord;
    return record.state === 'DONE' && record.status === 202;
  }

  /** Gives the caller's claim back when the write certainly did not happen. */
  async release(discomId: string, senderId: string, messageId: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE_IF_OWNER, 1, this.key(discomId, senderId, messageId), token);
  }
}
