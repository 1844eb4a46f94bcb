import { parse as parseYaml } from 'yaml';
import { ID_GRAMMAR, isDiscomId, isSafeId } from '@ies/contracts';
import { IesError } from '@ies/errors';

/**
 * What a participant is to the tenant. PEER_DISCOM: another DISCOM's settlement keys, trusted
 * for exactly one thing, its signed P2P sides of trades shared with this DISCOM (no reads, no
 * writes). AUDITOR: reads proofs and receipts only with a capability the DISCOM grants.
 */
export type ParticipantRole = 'DISCOM' | 'HEADEND' | 'AGGREGATOR' | 'PLATFORM' | 'NODE_OPERATOR' | 'PEER_DISCOM' | 'AUDITOR';
export type HalfHourRule = 'REJECT' | 'SPLIT_EVEN';
export type KeyStatus = 'ACTIVE' | 'REVOKED';
export type EnrolmentStatus = 'ACTIVE' | 'ENDED';

/** A public JWK as the registry keeps it: Ed25519 (OKP) or P-256 (EC), never a private part. */
export interface PublicJwk {
  kty: 'OKP' | 'EC';
  crv: 'Ed25519' | 'P-256';
  x: string;
  y?: string;
  kid: string;
  alg?: string;
  use?: string;
}

/** The wire shape of one registry entity (Avro `RegistryEntry`, compacted by entityKey). */
export interface RegistryEntry {
  kind: 'PARTICIPANT' | 'KEY' | 'METER' | 'ENROLMENT' | 'CONSENT';
  id: string;
  discomId: string;
  updatedAt: number;
  participant: { role: ParticipantRole; name: string; halfHourProfiles: HalfHourRule } | null;
  key: { participantId: string; jwk: string; status: KeyStatus } | null;
  /**
   * `meterCategory` (IS 15959: A, B, C, D1–D4) exists only in entries derived from signed
   * documents (kind DOCUMENT carries the document itself), never in the Avro METER record.
   */
  meter: { scheme: string; headEndId: string | null; sanctionedLoadW: number; derCapacityW: number | null; meterCategory?: string } | null;
  /** Absent in entries written before enrolments existed (Avro default null). */
  enrolment?: { meterId: string; programmeId: string; aggregatorId: string; status: EnrolmentStatus } | null;
  /** A meter's trading consent with a P2P platform (absent in older entries). */
  consent?: { meterId: string; platformId: string; status: EnrolmentStatus } | null;
}

export function entityKey(entry: Pick<RegistryEntry, 'kind' | 'id'>): string {
  return `${entry.kind}:${entry.id}`;
}

const ROLES: readonly ParticipantRole[] = ['DISCOM', 'HEADEND', 'AGGREGATOR', 'PLATFORM', 'NODE_OPERATOR', 'PEER_DISCOM', 'AUDITOR'];
const ID_MAX = 128;
/** IS 15959 meter categories (IES MeterData v0.6 `MeterCategory`): the reading types IES codes.json allows depend on them. */
const METER_CATEGORIES: readonly string[] = ['A', 'B', 'C', 'D1', 'D2', 'D3', 'D4'];

/**
 * Parses a registry document (YAML or JSON text) into entries. Upserts only: entities the
 * document does not name are left as they are; a key listed with `status: REVOKED` is
 * revoked. Every problem is reported at once with its path.
 *
 * ```yaml
 * discom: BRPL-DL
 * participants:
 *   - id: HES-01
 *     role: HEADEND
 *     name: North zone head-end
 *     halfHourProfiles: SPLIT_EVEN   # optional, default REJECT
 *     keys:
 *       - { kty: OKP, crv: Ed25519, x: "...", kid: "..." }
 *       - { kty: OKP, crv: Ed25519, x: "...", kid: "...", status: REVOKED }
 * meters:
 *   - { id: MTR-1, scheme: METER_SERIAL, headEnd: HES-01, sanctionedLoadW: 5000, derCapacityW: 3000, meterCategory: D2 }
 * enrolments:                      # DR: meters enrolled with an aggregator in a programme
 *   - { aggregator: AGG-1, programme: PEAK-2026, meters: [MTR-1, MTR-2] }
 *   - { aggregator: AGG-1, programme: PEAK-2026, meters: [MTR-3], status: ENDED }
 * tradingConsents:                 # P2P: meters whose customers trade through a platform
 *   - { platform: PLAT-1, meters: [MTR-1] }
 * ```
 */
export function parseRegistryDocument(text: string, updatedAt: number): RegistryEntry[] {
  let doc: unknown;
  try {
    // A key named twice would let the operator's signed bytes say two things: refused.
    doc = parseYaml(text, { uniqueKeys: true });
  } catch (cause) {
    if ((cause as { code?: unknown }).code === 'DUPLICATE_KEY') throw new IesError('IES_ERR_DUPLICATE_KEY', `registry document names a key twice in one mapping: ${(cause as Error).message}`, { cause });
    throw new IesError('IES_ERR_REGISTRY_INVALID', `registry document is not YAML/JSON: ${(cause as Error).message}`, { cause });
  }
  const problems: string[] = [];
  const entries: RegistryEntry[] = [];
  const root = asRecord(doc, '(document)', problems);
  const discomId = typeof root.discom === 'string' ? root.discom : '';
  if (!isDiscomId(discomId)) problems.push(`discom ${JSON.stringify(root.discom)} must be a DISCOM id like BRPL-DL`);

  const participants = asArray(root.participants ?? [], 'participants', problems);
  participants.forEach((raw, i) => {
    const at = `participants[${i}]`;
    const p = asRecord(raw, at, problems);
    const id = checkId(p.id, `${at}.id`, problems);
    const role = p.role as ParticipantRole;
    if (!ROLES.includes(role)) problems.push(`${at}.role ${JSON.stringify(p.role)} must be one of ${ROLES.join(', ')}`);
    if (role === 'PEER_DISCOM' && !isDiscomId(id)) problems.push(`${at}.id ${JSON.stringify(id)}: a PEER_DISCOM participant is named by the peer's DISCOM id, like BRPL-DL`);
    const half = (p.halfHourProfiles ?? 'REJECT') as HalfHourRule;
    if (half !== 'REJECT' && half !== 'SPLIT_EVEN') problems.push(`${at}.halfHourProfiles must be REJECT or SPLIT_EVEN`);
    entries.push({
      kind: 'PARTICIPANT', id, discomId, updatedAt,
      participant: { role, name: typeof p.name === 'string' ? p.name : id, halfHourProfiles: half },
      key: null, meter: null,
    });
    asArray(p.keys ?? [], `${at}.keys`, problems).forEach((rawKey, k) => {
      const kat = `${at}.keys[${k}]`;
      const { status, ...jwk } = asRecord(rawKey, kat, problems);
      const checked = checkPublicJwk(jwk, kat, problems);
      const keyStatus = (status ?? 'ACTIVE') as KeyStatus;
      if (keyStatus !== 'ACTIVE' && keyStatus !== 'REVOKED') problems.push(`${kat}.status must be ACTIVE or REVOKED`);
      if (checked) {
        entries.push({ kind: 'KEY', id: checked.kid, discomId, updatedAt, participant: null, meter: null, key: { participantId: id, jwk: JSON.stringify(checked), status: keyStatus } });
      }
    });
  });

  asArray(root.meters ?? [], 'meters', problems).forEach((raw, i) => {
    const at = `meters[${i}]`;
    const m = asRecord(raw, at, problems);
    const id = checkId(m.id, `${at}.id`, problems);
    const scheme = typeof m.scheme === 'string' && /^[A-Z][A-Z0-9_]*$/.test(m.scheme) ? m.scheme : '';
    if (!scheme) problems.push(`${at}.scheme ${JSON.stringify(m.scheme)} must be an IES identifier scheme such as METER_SERIAL or DID`);
    const load = m.sanctionedLoadW;
    if (!Number.isSafeInteger(load) || (load as number) <= 0) problems.push(`${at}.sanctionedLoadW ${JSON.stringify(load)} must be a positive integer (W)`);
    const der = m.derCapacityW ?? null;
    if (der !== null && (!Number.isSafeInteger(der) || (der as number) < 0)) problems.push(`${at}.derCapacityW ${JSON.stringify(der)} must be a non-negative integer (W)`);
    const headEnd = m.headEnd ?? null;
    if (headEnd !== null && typeof headEnd !== 'string') problems.push(`${at}.headEnd must be a participant id`);
    const category = m.meterCategory;
    if (category !== undefined && !METER_CATEGORIES.includes(category as string)) problems.push(`${at}.meterCategory ${JSON.stringify(category)} must be one of ${METER_CATEGORIES.join(', ')} (IS 15959, as in IES MeterData)`);
    entries.push({
      kind: 'METER', id, discomId, updatedAt, participant: null, key: null,
      meter: { scheme, headEndId: headEnd as string | null, sanctionedLoadW: load as number, derCapacityW: der as number | null, ...(typeof category === 'string' ? { meterCategory: category } : {}) },
    });
  });

  asArray(root.enrolments ?? [], 'enrolments', problems).forEach((raw, i) => {
    const at = `enrolments[${i}]`;
    const e = asRecord(raw, at, problems);
    const aggregatorId = checkId(e.aggregator, `${at}.aggregator`, problems);
    const programmeId = checkId(e.programme, `${at}.programme`, problems);
    if (programmeId.includes(':')) problems.push(`${at}.programme ${JSON.stringify(programmeId)} must not contain ':'`);
    const status = (e.status ?? 'ACTIVE') as EnrolmentStatus;
    if (status !== 'ACTIVE' && status !== 'ENDED') problems.push(`${at}.status must be ACTIVE or ENDED`);
    asArray(e.meters, `${at}.meters`, problems).forEach((m, j) => {
      const meterId = checkId(m, `${at}.meters[${j}]`, problems);
      entries.push({ kind: 'ENROLMENT', id: `${programmeId}:${meterId}`, discomId, updatedAt, participant: null, key: null, meter: null, enrolment: { meterId, programmeId, aggregatorId, status } });
    });
  });

  asArray(root.tradingConsents ?? [], 'tradingConsents', problems).forEach((raw, i) => {
    const at = `tradingConsents[${i}]`;
    const c = asRecord(raw, at, problems);
    const platformId = checkId(c.platform, `${at}.platform`, problems);
    if (platformId.includes(':')) problems.push(`${at}.platform ${JSON.stringify(platformId)} must not contain ':'`);
    const status = (c.status ?? 'ACTIVE') as EnrolmentStatus;
    if (status !== 'ACTIVE' && status !== 'ENDED') problems.push(`${at}.status must be ACTIVE or ENDED`);
    asArray(c.meters, `${at}.meters`, problems).forEach((m, j) => {
      const meterId = checkId(m, `${at}.meters[${j}]`, problems);
      entries.push({ kind: 'CONSENT', id: `${platformId}:${meterId}`, discomId, updatedAt, participant: null, key: null, meter: null, consent: { meterId, platformId, status } });
    });
  });

  if (problems.length > 0) {
    throw new IesError('IES_ERR_REGISTRY_INVALID', `registry document has ${problems.length} problem(s): ${problems.slice(0, 10).join('; ')}`, { details: { problems } });
  }
  return entries;
}

function asRecord(v: unknown, at: string, problems: string[]): Record<string, unknown> {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  problems.push(`${at} must be a mapping`);
  return {};
}

function asArray(v: unknown, at: string, problems: string[]): unknown[] {
  if (Array.isArray(v)) return v;
  problems.push(`${at} must be a list`);
  return [];
}

function checkId(v: unknown, at: string, problems: string[]): string {
  if (isSafeId(v)) return v;
  problems.push(`${at} ${JSON.stringify(v)} must be an id of ${ID_GRAMMAR}`);
  return String(v ?? '');
}

/** Accepts only public Ed25519 / P-256 keys with a kid; a private part is an error, never stored. */
export function checkPublicJwk(jwk: Record<string, unknown>, at: string, problems: string[]): PublicJwk | undefined {
  const before = problems.length;
  if ('d' in jwk) problems.push(`${at} contains a private key part ("d"); register public keys only`);
  const okp = jwk.kty === 'OKP' && jwk.crv === 'Ed25519';
  const ec = jwk.kty === 'EC' && jwk.crv === 'P-256';
  if (!okp && !ec) problems.push(`${at} must be an Ed25519 (kty OKP) or P-256 (kty EC) public key, got kty ${JSON.stringify(jwk.kty)} crv ${JSON.stringify(jwk.crv)}`);
  const b64u = (v: unknown) => typeof v === 'string' && /^[A-Za-z0-9_-]+$/.test(v);
  if (!b64u(jwk.x) || (ec && !b64u(jwk.y))) problems.push(`${at} has no valid base64url coordinates`);
  if (typeof jwk.kid !== 'string' || jwk.kid.length === 0 || jwk.kid.length > ID_MAX) problems.push(`${at}.kid must be a non-empty string`);
  if (problems.length > before) return undefined;
  const out: PublicJwk = { kty: jwk.kty as PublicJwk['kty'], crv: jwk.crv as PublicJwk['crv'], x: jwk.x as string, kid: jwk.kid as string, alg: okp ? 'EdDSA' : 'ES256', use: 'sig' };
  if (ec) out.y = jwk.y as string;
  return out;
}
