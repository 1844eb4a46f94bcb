import type { Redis } from 'ioredis';
import { webhookKeys } from './redis-keys.js';

/** Per-event bookkeeping lives as long as an event plausibly keeps producing records. */
const KEY_TTL_SECONDS = 30 * 24 * 60 * 60;

// Atomic so that two relay replicas briefly owning the same partition (a rebalance) hand
// out one number per delivery id, and a redelivered record gets its old number back: a
// number that was handed out but never enqueued would hold the event's later messages forever.
const ASSIGN = `
local n = redis.call('HGET', KEYS[1], ARGV[1])
if not n then
  n = redis.call('INCR', KEYS[2])
  redis.call('HSET', KEYS[1], ARGV[1], n)
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
redis.call('EXPIRE', KEYS[3], ARGV[2])
return tonumber(n)`;

// Only ever moves forward, so a late or repeated settle cannot reopen a number.
const SETTLE = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local n = tonumber(ARGV[1])
if n > cur then redis.call('SET', KEYS[1], n) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return math.max(n, cur)`;

/** Delivery numbers per event (see domain/delivery-order.ts for why). */
export class DeliverySequence {
  constructor(private readonly redis: Redis) {}

  /** The number already given to `deliveryId`, or undefined when it has none yet. */
  async assigned(discom: string, eventId: string, deliveryId: string): Promise<number | undefined> {
    const n = await this.redis.hget(webhookKeys.assigned(discom, eventId), deliveryId);
    return n === null ? undefined : Number(n);
  }

  /** The number of `deliveryId` within its event: the next one, or the one it already has. */
  async assign(discom: string, eventId: string, deliveryId: string): Promise<number> {
    const keys = [webhookKeys.assigned(discom, eventId), webhookKeys.sequence(discom, eventId), webhookKeys.settled(discom, eventId)];
    return Number(await this.redis.eval(ASSIGN, keys.length, ...keys, deliveryId, KEY_TTL_SECONDS));
  }

  /** Every number up to this one is delivered or given up (0 before the first). */
  async settledUpTo(discom: string, eventId: string): Promise<number> {
    return Number((await this.redis.get(webhookKeys.settled(discom, eventId))) ?? 0);
  }

  async settle(discom: string, eventId: string, sequence: number): Promise<void> {
    await this.redis.eval(SETTLE, 1, webhookKeys.settled(discom, eventId), sequence, KEY_TTL_SECONDS);
  }
}
