import type { HalfHourRule, ParticipantRole, PublicJwk, RegistryEntry, StatusListEntry } from './model.js';
import { entityKey } from './model.js';

export interface KeyRecord {
  kid: string;
  discomId: string;
  participantId: string;
  status: 'ACTIVE' | 'REVOKED';
  jwk: PublicJwk;
  /**
   * For a REVOKED key: when it was revoked (epoch ms, the iat of the operator document that
   * first revoked it). A signature made before then stays valid, so records signed earlier
   * still verify downstream; a later document listing the key as REVOKED again keeps this time.
   */
  revokedAt?: number;
}

export interface ParticipantRecord {
  id: string;
  discomId: string;
  role: ParticipantRole;
  name: string;
  halfHourProfiles: HalfHourRule;
  /** The did:web DID its MeterDataCredentials name as issuer. */
  did?: string;
  /** Revocation lists of its credentials (BitstringStatusList), as the operator published them. */
  statusLists?: StatusListEntry[];
}

export interface EnrolmentRecord {
  meterId: string;
  discomId: string;
  programmeId: string;
  aggregatorId: string;
  status: 'ACTIVE' | 'ENDED';
}

export interface ConsentRecord {
  meterId: string;
  discomId: string;
  platformId: string;
  status: 'ACTIVE' | 'ENDED';
}

export interface MeterRecord {
  meterId: string;
  discomId: string;
  scheme: string;
  headEndId: string | null;
  sanctionedLoadW: number;
  derCapacityW: number | null;
  /** IS 15959 category, when the document gives one (IES MeterData rule 8). */
  meterCategory?: string;
}

/**
 * The registry as every service sees it: the latest entry per entity, applied in log
 * order. Lookups are synchronous map reads, so a key rotated or revoked in the log takes
 * effect on the next request, without a restart.
 */
export class RegistryState {
  /** `<discom>/<kid>` → key: a kid belongs to one participant of a tenant, and only a peer DISCOM's settlement key is registered with several tenants (as their PEER_DISCOM). */
  private readonly keys = new Map<string, KeyRecord>();
  /** kid → the tenants that registered it (one, but for a peer DISCOM's key). */
  private readonly kidTenants = new Map<string, string[]>();
  private readonly participants = new Map<string, ParticipantRecord>();
  /** meterId → DISCOM → record: meter ids are opaque and only unique within a DISCOM. */
  private readonly meters = new Map<string, Map<string, MeterRecord>>();
  /** `<discom>/<programme>:<meter>` → enrolment. */
  private readonly enrolments = new Map<string, EnrolmentRecord>();
  /** `<discom>/<aggregator>/<meter>` → how many programmes the meter is ACTIVE in with that aggregator (read-access checks). */
  private readonly activeWithAggregator = new Map<string, number>();
  /** `<discom>/<platform>:<meter>` → trading consent. */
  private readonly consents = new Map<string, ConsentRecord>();
  private readonly versions = new Map<string, number>();
  private applied = 0;
  private meterChanges = 0;

  /** Changes whenever a meter entry is applied: what was read of meters before is to be read again. */
  get meterGeneration(): number {
    return this.meterChanges;
  }

  /** Applies an entry unless a newer version of the same entity is already applied. */
  apply(entry: RegistryEntry): void {
    const k = `${entry.discomId}/${entityKey(entry)}`;
    const seen = this.versions.get(k);
    if (seen !== undefined && seen > entry.updatedAt) return;
    this.versions.set(k, entry.updatedAt);
    this.applied += 1;
    if (entry.kind === 'KEY' && entry.key) {
      const held = this.keys.get(`${entry.discomId}/${entry.id}`);
      const revokedAt = entry.key.status !== 'REVOKED' ? undefined : held?.status === 'REVOKED' && held.revokedAt !== undefined ? held.revokedAt : entry.updatedAt;
      const tenants = this.kidTenants.get(entry.id) ?? [];
      if (!tenants.includes(entry.discomId)) this.kidTenants.set(entry.id, [...tenants, entry.discomId].sort());
      this.keys.set(`${entry.discomId}/${entry.id}`, { kid: entry.id, discomId: entry.discomId, participantId: entry.key.participantId, status: entry.key.status, jwk: JSON.parse(entry.key.jwk) as PublicJwk, ...(revokedAt === undefined ? {} : { revokedAt }) });
    } else if (entry.kind === 'PARTICIPANT' && entry.participant) {
      this.participants.set(`${entry.discomId}/${entry.id}`, { id: entry.id, discomId: entry.discomId, ...entry.participant });
    } else if (entry.kind === 'METER' && entry.meter) {
      this.meterChanges += 1;
      const byDiscom = this.meters.get(entry.id) ?? new Map<string, MeterRecord>();
      byDiscom.set(entry.discomId, { meterId: entry.id, discomId: entry.discomId, ...entry.meter });
      this.meters.set(entry.id, byDiscom);
    } else if (entry.kind === 'ENROLMENT' && entry.enrolment) {
      const key = `${entry.discomId}/${entry.id}`;
      this.countActive(this.enrolments.get(key), -1);
      const record = { discomId: entry.discomId, ...entry.enrolment };
      this.enrolments.set(key, record);
      this.countActive(record, +1);
    } else if (entry.kind === 'CONSENT' && entry.consent) {
      this.consents.set(`${entry.discomId}/${entry.id}`, { discomId: entry.discomId, ...entry.consent });
    }
  }

  /** The enrolment of a meter in a DR programme of a DISCOM (ACTIVE or ENDED), if any. */
  enrolment(discomId: string, programmeId: string, meterId: string): EnrolmentRecord | undefined {
    return this.enrolments.get(`${discomId}/${programmeId}:${meterId}`);
  }

  /** Meters actively enrolled with an aggregator in a programme, sorted. */
  enrolledMeters(discomId: string, programmeId: string, aggregatorId: string): string[] {
    const out: string[] = [];
    for (const e of this.enrolments.values()) if (e.discomId === discomId && e.programmeId === programmeId && e.aggregatorId === aggregatorId && e.status === 'ACTIVE') out.push(e.meterId);
    return out.sort();
  }

  /** Every enrolment of a DISCOM (ACTIVE and ENDED), sorted by programme then meter (the OpenADR programs and resources). */
  enrolmentsOf(discomId: string): EnrolmentRecord[] {
    const out = [...this.enrolments.values()].filter((e) => e.discomId === discomId);
    return out.sort((a, b) => (a.programmeId === b.programmeId ? (a.meterId < b.meterId ? -1 : a.meterId > b.meterId ? 1 : 0) : a.programmeId < b.programmeId ? -1 : 1));
  }

  /** The participants of a DISCOM with a role, sorted by id (the OpenADR VENs: its aggregators). */
  participantsOf(discomId: string, role: ParticipantRole): ParticipantRecord[] {
    return [...this.participants.values()].filter((p) => p.discomId === discomId && p.role === role).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** A meter's trading consent with a P2P platform in a DISCOM (ACTIVE or ENDED), if any. */
  tradingConsent(discomId: string, platformId: string, meterId: string): ConsentRecord | undefined {
    return this.consents.get(`${discomId}/${platformId}:${meterId}`);
  }

  /** True when the meter is actively enrolled with the aggregator in any DR programme of the DISCOM. */
  enrolledWith(discomId: string, aggregatorId: string, meterId: string): boolean {
    return (this.activeWithAggregator.get(`${discomId}/${aggregatorId}/${meterId}`) ?? 0) > 0;
  }

  private countActive(e: EnrolmentRecord | undefined, delta: 1 | -1): void {
    if (e?.status !== 'ACTIVE') return;
    const key = `${e.discomId}/${e.aggregatorId}/${e.meterId}`;
    const n = (this.activeWithAggregator.get(key) ?? 0) + delta;
    if (n > 0) this.activeWithAggregator.set(key, n);
    else this.activeWithAggregator.delete(key);
  }

  /**
   * The key `kid` as registered by `discomId`; without a tenant, the key when one tenant holds
   * it (a peer DISCOM's key held by several is found only with the tenant it acts for).
   */
  key(kid: string, discomId?: string): KeyRecord | undefined {
    if (discomId !== undefined) return this.keys.get(`${discomId}/${kid}`);
    const tenants = this.kidTenants.get(kid);
    return tenants?.length === 1 ? this.keys.get(`${tenants[0]}/${kid}`) : undefined;
  }

  /** Every registration of `kid`, one per tenant that holds it, by tenant. */
  keyHolders(kid: string): KeyRecord[] {
    return (this.kidTenants.get(kid) ?? []).map((d) => this.keys.get(`${d}/${kid}`)!);
  }

  participant(discomId: string, id: string): ParticipantRecord | undefined {
    return this.participants.get(`${discomId}/${id}`);
  }

  /** The participants of any tenant whose registry `did` is `did` (a credential's issuer). */
  participantsByDid(did: string): ParticipantRecord[] {
    return [...this.participants.values()].filter((p) => p.did === did);
  }

  /**
   * The meter as registered by `discomId`; when that DISCOM has no such meter but another
   * one does, that record (so callers can tell "another tenant's meter" from "unknown").
   */
  meter(discomId: string, meterId: string): MeterRecord | undefined {
    const byDiscom = this.meters.get(meterId);
    if (!byDiscom) return undefined;
    return byDiscom.get(discomId) ?? byDiscom.values().next().value;
  }

  /** Public keys of a tenant as a JWKS (active and revoked, with status), for /.well-known/jwks.json. */
  jwks(discomId: string): { keys: (PublicJwk & { status: string; participant: string })[] } {
    return {
      keys: [...this.keys.values()]
        .filter((k) => k.discomId === discomId)
        .sort((a, b) => a.kid.localeCompare(b.kid))
        .map((k) => ({ ...k.jwk, status: k.status, participant: k.participantId })),
    };
  }

  get size(): { keys: number; participants: number; meters: number; applied: number } {
    let meters = 0;
    for (const m of this.meters.values()) meters += m.size;
    return { keys: this.keys.size, participants: this.participants.size, meters, applied: this.applied };
  }
}

/**
 * Why the document's KEY entries cannot be registered, or undefined when they can (pure; the
 * registry route refuses the document with it). A kid belongs to one participant of a tenant.
 * Registered with another tenant too, it must be the same peer DISCOM's same key: the
 * participant (of the same id) is a PEER_DISCOM in both tenants (by the document's own
 * PARTICIPANT entries, else the registry) and the JWK is the same. That is how a DISCOM on
 * another node trades with (and disputes the statements of) several DISCOMs of a shared node
 * with its one settlement key; every lookup of a shared kid names its tenant.
 */
export function keyRegistrationConflict(registry: RegistryState, entries: readonly RegistryEntry[]): string | undefined {
  const roleOf = (discomId: string, participantId: string) =>
    entries.findLast((e) => e.kind === 'PARTICIPANT' && e.discomId === discomId && e.id === participantId)?.participant?.role ?? registry.participant(discomId, participantId)?.role;
  const sameJwk = (a: PublicJwk, b: PublicJwk) => a.kty === b.kty && a.crv === b.crv && a.x === b.x && a.y === b.y;
  for (const e of entries) {
    if (e.kind !== 'KEY' || !e.key) continue;
    const jwk = JSON.parse(e.key.jwk) as PublicJwk;
    for (const held of registry.keyHolders(e.id)) {
      if (held.discomId === e.discomId) {
        if (held.participantId === e.key.participantId) continue;
      } else if (held.participantId === e.key.participantId && sameJwk(held.jwk, jwk) && roleOf(held.discomId, held.participantId) === 'PEER_DISCOM' && roleOf(e.discomId, e.key.participantId) === 'PEER_DISCOM') {
        continue;
      }
      return `kid ${e.id} is already registered to ${held.participantId} of ${held.discomId}; a key belongs to one participant (only a peer DISCOM's settlement key is registered with several tenants, as the PEER_DISCOM of each, with the same JWK)`;
    }
  }
  return undefined;
}
