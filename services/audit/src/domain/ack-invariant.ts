import type { InvariantFailure, InvariantResult } from '../report.js';
import type { TransitionRecord } from './records.js';

export interface AckedRecord {
  readonly kind: 'dr-event' | 'p2p-trade';
  readonly id: string;
  readonly at: number;
}

export interface LifecycleSource {
  /** dr-events.v1 or p2p-trades.v1 records of the tenant. */
  readonly records: readonly TransitionRecord[];
  /** The first version a lifecycle starts at (DR events count from 1, trade revisions from 0). */
  readonly firstVersion: number;
  /** id → whether the service's store holds it (its exported read entry point). */
  readonly stored: ReadonlyMap<string, boolean>;
}

/**
 * Invariant 4: every acked DR event and P2P trade is in its topic (its first transition
 * there) and in its store. "Once" on a topic is per transition: the outbox relays at least
 * once and consumers keep the first copy of a version, so identical copies are allowed, but
 * two different records for one (id, version) are a fork of the lifecycle and fail.
 */
export function checkAcked(acked: readonly AckedRecord[], sources: Readonly<Record<AckedRecord['kind'], LifecycleSource>>): InvariantResult {
  const failures: InvariantFailure[] = [];
  let checked = 0;
  for (const kind of ['dr-event', 'p2p-trade'] as const) {
    const { records, firstVersion, stored } = sources[kind];
    const topic = kind === 'dr-event' ? 'dr-events.v1' : 'p2p-trades.v1';
    const versions = new Map<string, TransitionRecord[]>();
    for (const r of records) versions.set(`${r.id}|${r.version}`, [...(versions.get(`${r.id}|${r.version}`) ?? []), r]);
    for (const [key, copies] of versions) {
      checked += 1;
      const states = new Set(copies.map((c) => `${c.state}@${c.at}`));
      if (states.size > 1) failures.push({ record: `${kind} ${key.replace('|', ' version ')}`, problem: `${topic} has ${states.size} different records for one version (${copies.map((c) => c.position).join(', ')})` });
    }
    for (const a of acked.filter((x) => x.kind === kind)) {
      checked += 1;
      if (!versions.has(`${a.id}|${firstVersion}`)) failures.push({ record: `${kind} ${a.id}`, problem: `acked at ${new Date(a.at).toISOString()} but its first transition is not on ${topic}` });
      if (stored.get(a.id) !== true) failures.push({ record: `${kind} ${a.id}`, problem: 'acked but not in its store' });
    }
  }
  return { id: 'I4', title: 'acked DR events and P2P trades in topic and store', checked, failures };
}
