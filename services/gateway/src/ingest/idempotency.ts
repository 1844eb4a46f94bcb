import type { Redis } from 'ioredis';

/** What the node remembers of one message id (per tenant and sender). */
export type IdempotencyRecord =
  | { state: 'PENDING'; bodySha256: string; since: number }
  | { state: 'DONE'; bodySha256: string; status: number; response: unknown };

export type ClaimResult = { claimed: true } | { claimed: false; existing: IdempotencyRecord };

/**
 * Replay protection and idempotent retries for signed writes, in Redis. A write first
 * claims its message id (SET NX, PENDING with a short TTL); when it is durably handled the
 * record becomes DONE with the response, kept for the replay window. A crashed writer's
 * PENDING claim expires, so the sender's retry can go through.
 */
export class IdempotencyStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
    private readonly pendingTtlSeconds = 120,
  ) {}

  private key(discomId: string, senderId: string, messageId: string): string {
    return `ies:${discomId}:msg:${senderId}:${messageId}`;
  }

  async claim(discomId: string, senderId: string, messageId: string, bodySha256: string, nowMs: number): Promise<ClaimResult> {
    const key = this.key(discomId, senderId, messageId);
    const pending: IdempotencyRecord = { state: 'PENDING', bodySha256, since: nowMs };
    const ok = await this.redis.set(key, JSON.stringify(pending), 'EX', this.pendingTtlSeconds, 'NX');
    if (ok === 'OK') return { claimed: true };
    const raw = await this.redis.get(key);
    if (raw === null) return this.claim(discomId, senderId, messageId, bodySha256, nowMs); // expired in between
    return { claimed: false, existing: JSON.parse(raw) as IdempotencyRecord };
  }

  async complete(discomId: string, senderId: string, messageId: string, bodySha256: string, status: number, response: unknown): Promise<void> {
    const record: IdempotencyRecord = { state: 'DONE', bodySha256, status, response };
    await this.redis.set(this.key(discomId, senderId, messageId), JSON.stringify(record), 'EX', this.ttlSeconds);
  }

  /** Gives a claim back when the write certainly did not happen, so a retry may proceed. */
  async release(discomId: string, senderId: string, messageId: string): Promise<void> {
    await this.redis.del(this.key(discomId, senderId, messageId));
  }
}
