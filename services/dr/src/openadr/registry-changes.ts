import { createHash } from 'node:crypto';
import type { Redis } from '@ies/redis';
import type { ObjectChange, ObjectType, Viewer } from './object-change.js';
import { clientIdOf } from './projection.js';
import { programs, resources, vens, type VtnDeps, type VtnViewer } from './vtn-routes.js';

/** How long one node's sweep of a tenant holds the lock (replicas of the HTTP server take turns). */
const LOCK_MS = 10_000;

export type Seen = Map<string, { type: ObjectType; object: Record<string, unknown>; fingerprint: string }>;

/**
 * Programs, VENs and resources come from the operator-signed registry (and a program's
 * times from its events), which the node's HTTP server holds in memory: their changes are
 * found by comparing what each viewer (the BL, each aggregator) sees now with what it saw at
 * the last sweep (kept in Redis, `ies:<discom>:openadr:seen:<viewer>`). Each difference is a
 * CREATE, UPDATE or DELETE for that viewer alone. The first sweep of a tenant announces
 * every object as a CREATE (nothing was told before), so a change made before the first
 * sweep is never absorbed silently. What a viewer saw is recorded only once its changes are
 * delivered; a change found again after a failure has the same delivery ids (not sent twice).
 */
export class RegistryObjectChanges {
  constructor(
    private readonly redis: Redis,
    private readonly deps: Pick<VtnDeps, 'registry' | 'events'>,
  ) {}

  private key(discomId: string, viewer: Viewer): string {
    return `ies:${discomId}:openadr:seen:${viewer.bl ? '~bl' : viewer.participantId}`;
  }

  /**
   * Finds the changes since the last sweep of `discomId`, hands them to `deliver`, and only
   * then records what each viewer now sees: a delivery that fails is found again next time
   * (with the same delivery ids). Nothing when another replica holds the sweep.
   */
  async sweep(discomId: string, deliver: (changes: readonly ObjectChange[]) => Promise<void>): Promise<ObjectChange[]> {
    const lock = `ies:${discomId}:openadr:seen-lock`;
    if ((await this.redis.set(lock, '1', 'PX', LOCK_MS, 'NX')) === null) return [];
    try {
      // One read of the tenant's events for every viewer of this sweep.
      const events = await this.deps.events.list(discomId);
      const deps = { registry: this.deps.registry, events: { list: async () => events } };
      const viewers: Viewer[] = [{ participantId: '', bl: true }, ...this.deps.registry.participantsOf(discomId, 'AGGREGATOR').map((a) => ({ participantId: a.id, bl: false }))];
      const out: ObjectChange[] = [];
      const records: { key: string; before: Record<string, string>; now: Seen }[] = [];
      for (const viewer of viewers) {
        const now = await seenNow(deps, discomId, viewer);
        const key = this.key(discomId, viewer);
        const before = await this.redis.hgetall(key);
        out.push(...differences(discomId, viewer, before, now));
        records.push({ key, before, now });
      }
      if (out.length > 0) await deliver(out);
      for (const { key, before, now } of records) {
        const gone = Object.keys(before).filter((k) => !now.has(k));
        const current = [...now.entries()].filter(([k, v]) => before[k] !== storedForm(v));
        if (gone.length === 0 && current.length === 0) continue;
        const tx = this.redis.multi();
        if (gone.length > 0) tx.hdel(key, ...gone);
        if (current.length > 0) tx.hset(key, Object.fromEntries(current.map(([k, v]) => [k, storedForm(v)])));
        await tx.exec();
      }
      return out;
    } finally {
      await this.redis.del(lock);
    }
  }
}

async function seenNow(deps: Pick<VtnDeps, 'registry' | 'events'>, discomId: string, viewer: Viewer): Promise<Seen> {
  const who: VtnViewer = { discomId, participantId: viewer.participantId, clientId: clientIdOf(discomId, viewer.participantId), bl: viewer.bl, scopes: [] };
  const out: Seen = new Map();
  for (const [type, objects] of [['PROGRAM', await programs(deps, who)], ['VEN', await vens(deps, who)], ['RESOURCE', await resources(deps, who)]] as const) {
    for (const object of objects) out.set(`${type}:${object.id as string}`, { type, object, fingerprint: fingerprint(object) });
  }
  return out;
}

export const fingerprint = (o: unknown) => createHash('sha256').update(JSON.stringify(o)).digest('base64url').slice(0, 22);
/** What is kept per object: its type, fingerprint and the object (a deletion is announced with the object as last seen). */
export const storedForm = (v: { type: ObjectType; object: Record<string, unknown>; fingerprint: string }) => JSON.stringify(v);

/** What one viewer was told last (Redis hash values) against what it sees now: a CREATE, UPDATE or DELETE per difference, for that viewer alone. */
export function differences(discomId: string, viewer: Viewer, before: Record<string, string>, now: Seen): ObjectChange[] {
  const out: ObjectChange[] = [];
  const change = (type: ObjectType, object: Record<string, unknown>, operation: 'CREATE' | 'UPDATE' | 'DELETE', print: string): ObjectChange => ({
    discomId, objectType: type, objectId: object.id as string, changeId: `${viewer.bl ? 'bl' : viewer.participantId}.${operation.toLowerCase()}.${print}`,
    ...(type === 'PROGRAM' ? { programID: object.id as string } : {}),
    vens: viewer.bl ? [] : [viewer.participantId],
    seenBy: (v) => (viewer.bl ? v.bl : !v.bl && v.participantId === viewer.participantId) ? { operation, object } : null,
  });
  for (const [k, v] of now) {
    const was = before[k];
    if (was === undefined) out.push(change(v.type, v.object, 'CREATE', v.fingerprint));
    else if ((JSON.parse(was) as { fingerprint: string }).fingerprint !== v.fingerprint) out.push(change(v.type, v.object, 'UPDATE', v.fingerprint));
  }
  for (const [k, raw] of Object.entries(before)) {
    if (now.has(k)) continue;
    const was = JSON.parse(raw) as { type: ObjectType; object: Record<string, unknown>; fingerprint: string };
    out.push(change(was.type, was.object, 'DELETE', was.fingerprint));
  }
  return out;
}
