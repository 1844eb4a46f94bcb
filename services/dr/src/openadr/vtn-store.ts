import { randomUUID } from 'node:crypto';
import type { Redis } from '@ies/redis';

/** What a VEN or the BL wrote through OpenADR and we keep: reports (an aggregator's claims) and subscriptions. */
export type StoredKind = 'report' | 'subscription';

export interface StoredObject {
  readonly id: string;
  /** `<discom>/<participant>` of the client that wrote it. */
  readonly clientID: string;
  readonly createdDateTime: string;
  readonly modificationDateTime: string;
  readonly [member: string]: unknown;
}

/**
 * The objects OpenADR clients create, one Redis hash per tenant and kind (id → JSON). A
 * VEN's report is kept here as the aggregator's claim beside our measured figures, which
 * it never changes (those come from the reads, docs/openadr.md). Subscriptions are kept
 * here; the notifier (notifier.ts) calls them back.
 */
export class VtnStore {
  constructor(private readonly redis: Redis) {}

  private key(discomId: string, kind: StoredKind): string {
    return `ies:${discomId}:openadr:${kind}s`;
  }

  /** Stores a new object; `ownerRole` (AGGREGATOR or DISCOM) is kept beside it, for the notifier, and never shown. */
  async create(discomId: string, kind: StoredKind, clientID: string, body: Record<string, unknown>, nowMs: number, ownerRole: string): Promise<StoredObject> {
    const at = new Date(nowMs).toISOString();
    const id = `${kind === 'report' ? 'r' : 's'}-${randomUUID()}`;
    const object: StoredObject = { ...body, id, createdDateTime: at, modificationDateTime: at, objectType: kind.toUpperCase(), clientID };
    await this.redis.hset(this.key(discomId, kind), id, JSON.stringify({ object, ownerRole }));
    return object;
  }

  async list(discomId: string, kind: StoredKind): Promise<StoredObject[]> {
    return (await this.owned(discomId, kind)).map((o) => o.object);
  }

  /** The objects with their owners' roles, oldest first. */
  async owned(discomId: string, kind: StoredKind): Promise<{ object: StoredObject; ownerRole: string }[]> {
    const all = await this.redis.hgetall(this.key(discomId, kind));
    const byAge = (a: StoredObject, b: StoredObject) => (a.createdDateTime === b.createdDateTime ? (a.id < b.id ? -1 : 1) : a.createdDateTime < b.createdDateTime ? -1 : 1);
    return Object.values(all).map((raw) => JSON.parse(raw) as { object: StoredObject; ownerRole: string }).sort((a, b) => byAge(a.object, b.object));
  }

  async delete(discomId: string, kind: StoredKind, id: string): Promise<void> {
    await this.redis.hdel(this.key(discomId, kind), id);
  }
}
