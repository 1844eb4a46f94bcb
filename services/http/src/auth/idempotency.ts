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

/**
 * Replay protection and idempotent retries for signed writes, in Redis. A write first
 * claims its message id (SET NX, PENDING with a token); when it is durably handled the
 * record becomes DONE with the response, kept for the replay window. Completion and
 * release only act on the caller's own claim. A claim whose Kafka write is uncertain is
 * kept until `pendingTtlSeconds`, longer than any send can take, so a retry cannot write
 * the batch a second time while the first write may still land.
 */
export class IdempotencyStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
    private readonly pendingTtlSeconds = 300,
  ) {}

  private key(discomId: string, senderId: string, messageId: string): string {
    return `ies:${discomId}:msg:${senderId}:${messageId}`;
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
    const ok = await this.redis.set(key, JSON.stringify(pending), 'EX', this.pendingTtlSeconds, 'NX');
    if (ok === 'OK') return { claimed: true, token };
    const raw = await this.redis.get(key);
    if (raw === null) return this.tryClaim(discomId, senderId, messageId, bodySha256, nowMs); // expired in between
    return { claimed: false, existing: JSON.parse(raw) as IdempotencyRecord };
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
