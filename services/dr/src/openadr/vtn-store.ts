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
 * here and listed; their delivery is not wired yet.
 */
export class VtnStore {
  constructor(private readonly redis: Redis) {}

  private key(discomId: string, kind: StoredKind): string {
    return `ies:${discomId}:openadr:${kind}s`;
  }

  async create(discomId: string, kind: StoredKind, clientID: string, body: Record<string, unknown>, nowMs: number): Promise<StoredObject> {
    const at = new Date(nowMs).toISOString();
    const id = `${kind === 'report' ? 'r' : 's'}-${randomUUID()}`;
    const object: StoredObject = { ...body, id, createdDateTime: at, modificationDateTime: at, objectType: kind.toUpperCase(), clientID };
    await this.redis.hset(this.key(discomId, kind), id, JSON.stringify(object));
    return object;
  }

  async list(discomId: string, kind: StoredKind): Promise<StoredObject[]> {
    const all = await this.redis.hgetall(this.key(discomId, kind));
    return Object.values(all).map((raw) => JSON.parse(raw) as StoredObject).sort((a, b) => (a.createdDateTime === b.createdDateTime ? (a.id < b.id ? -1 : 1) : a.createdDateTime < b.createdDateTime ? -1 : 1));
  }

  async get(discomId: string, kind: StoredKind, id: string): Promise<StoredObject | undefined> {
    const raw = await this.redis.hget(this.key(discomId, kind), id);
    return raw === null ? undefined : (JSON.parse(raw) as StoredObject);
  }

  async delete(discomId: string, kind: StoredKind, id: string): Promise<void> {
    await this.redis.hdel(this.key(discomId, kind), id);
  }
}
