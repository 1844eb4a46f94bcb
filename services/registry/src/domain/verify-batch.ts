import { createHash } from 'node:crypto';
import { METER_DATA_WRITE } from '@ies/contracts';
import { checkRequestBinding, parseStrictJson, verifyDetached, type DetachedHeader } from '@ies/crypto';
import { isIesError, type ErrorCode } from '@ies/errors';
import { CHANNELS, COMPACT_CSV_SOURCE, DEFAULT_POLICY, MeterVerdicts, VALIDATION_STATUSES, compactCsvColumns, sameAsciiId, normaliseBatch, readOfColumns, type BatchFormat, type Channel, type CompactCsvColumns, type IngestContext, type IngestResult, type NormalisedRead, type ValidationStatus } from '@ies/meterdata';
import { CredentialContexts, verifyMeterDataCredential } from '@ies/credentials';
import { credentialSigner, type CredentialSigner } from './credential-issuer.js';
import type { KeyRecord, RegistryState } from './state.js';

export { credentialSigner, type CredentialSigner } from './credential-issuer.js';
/** The notary and the loader load the operator's JSON-LD contexts at start with the gateway's rule (IES_CREDENTIAL_CONTEXTS_DIR). */
export { CredentialContexts, loadCredentialContexts } from '@ies/credentials';

/**
 * The re-verification of a `meter-batches.v1` record that the notary and the loader run
 * before notarising or storing it (DESIGN.md, Trust: nothing inside the node is trusted by
 * position). A record produced by anyone but the gateway, or altered on the way, fails here.
 */

/** The fields of a meter-batches.v1 record the check needs (schemas-avro/meter-batch.v1.avsc). */
export interface MeterBatchRecord {
  batchId: string;
  discomId: string;
  headEndId: string;
  receivedAt: number;
  format: BatchFormat;
  bodySha256: string;
  signature: string;
  body: Uint8Array;
  reads: readonly NormalisedRead[];
  rejected?: readonly { index: number }[];
  /** The gateway's batch root (base64) over `reads`; null or absent from older producers. */
  batchRoot?: string | null;
  /** `reads.length` as the gateway wrote it next to batchRoot. */
  readCount?: number | null;
}

export type BatchVerdict =
  | { ok: true; kid: string; iat: number }
  | {
      ok: false;
      code: ErrorCode;
      message: string;
      /** True when a registry view that is behind could explain the failure (a key or meter registered a moment ago). */
      registryDependent: boolean;
    };

/**
 * What the gateway normalises a head-end's batch with: the tenant's registered meters, the
 * head-end's half-hour rule and the default VEE policy, at the node time `nowMs`. Use it at
 * once, not across an await: its kept meter verdicts are those of the registry view as it is now.
 */
export function ingestContextFor(registry: RegistryState, discomId: string, headEndId: string, nowMs: number): IngestContext {
  return {
    discomId,
    meterVerdicts: meterVerdictsOf(registry, discomId, headEndId),
    meters: (meterId) => {
      const m = registry.meter(discomId, meterId);
      return m && { meterId: m.meterId, discomId: m.discomId, sanctionedLoadW: m.sanctionedLoadW, ...(m.derCapacityW === null ? {} : { derCapacityW: m.derCapacityW }), ...(m.headEndId === null ? {} : { headEndId: m.headEndId }), ...(m.meterCategory === undefined ? {} : { meterCategory: m.meterCategory }) };
    },
    senderId: headEndId,
    policy: { ...DEFAULT_POLICY, nowMs, halfHourProfiles: registry.participant(discomId, headEndId)?.halfHourProfiles ?? 'REJECT' },
  };
}

/**
 * The meters admitted for a head-end's batches, kept between them per registry view (the
 * view's own lifetime: a WeakMap) and dropped whenever the view's meters change. Every caller
 * of ingestContextFor shares them: the gateway, the notary's re-checker and the loader each
 * look a head-end's meter up once instead of once per batch.
 */
const keptVerdicts = new WeakMap<RegistryState, { generation: number; byHeadEnd: Map<string, MeterVerdicts> }>();
function meterVerdictsOf(registry: RegistryState, discomId: string, headEndId: string): MeterVerdicts {
  let kept = keptVerdicts.get(registry);
  if (kept === undefined || kept.generation !== registry.meterGeneration) {
    kept = { generation: registry.meterGeneration, byHeadEnd: new Map() };
    keptVerdicts.set(registry, kept);
  }
  const key = `${discomId}\u0000${headEndId}`;
  let verdicts = kept.byHeadEnd.get(key);
  if (verdicts === undefined) {
    verdicts = new MeterVerdicts(discomId, headEndId, DEFAULT_POLICY.plausibilityMargin);
    kept.byHeadEnd.set(key, verdicts);
  }
  return verdicts;
}

/**
 * Checks a batch record found on `topicTenant`'s topic against `registry`: the record names
 * that tenant; `bodySha256` is the body's; the head-end's detached JWS verifies over the body
 * with the registered key of its kid, a HEADEND key of `headEndId` in `discomId` that was not
 * revoked before the signature's iat; the signature is bound to `POST /v1/meter-data` for
 * `discomId` (htm, htu, tenant); `batchId` is `<headEndId>:<jti>`; and the reads and
 * positions of the rejected reads are exactly what normalising the body against the registry gives at the
 * record's `receivedAt` (the gateway's clock when it accepted the batch, so not-in-future
 * and every other VEE rule decide the same way). Cheap checks run first.
 */
export async function verifyMeterBatch(record: MeterBatchRecord, topicTenant: string, registry: RegistryState, contexts: CredentialContexts = CredentialContexts.BUNDLED, columns?: RecordReadColumns): Promise<BatchVerdict> {
  const signed = await verifyMeterBatchSignature(record, topicTenant, registry, contexts);
  if (!signed.ok) return signed;
  return checkReads(record, registry, columns) ?? signed;
}

/**
 * A record's `reads` as columns, as a decoder that walked the record's Avro bytes has them
 * (the loader's MeterBatchWire): what verifyMeterBatch then compares with the signed body,
 * without an object per read. The enum fields are indexes into the writer schema's symbols.
 */
export interface RecordReadColumns {
  readonly count: number;
  /** The bytes the meter ids are in (the record's Avro payload). */
  readonly bytes: Uint8Array;
  /** Per read: where its meter id's UTF-8 starts in `bytes`, and its length. */
  readonly meterAt: Uint32Array;
  readonly meterLength: Uint32Array;
  readonly blockStart: Float64Array;
  readonly wh: Float64Array;
  readonly channel: Uint8Array;
  readonly status: Uint8Array;
  readonly source: Uint8Array;
  readonly channelSymbols: readonly string[];
  readonly statusSymbols: readonly string[];
  readonly sourceSymbols: readonly string[];
}

/** A meter-batches.v1 record without its reads: what the signature check needs. */
export type MeterBatchHeader = Omit<MeterBatchRecord, 'reads' | 'rejected'>;

/**
 * Everything `verifyMeterBatch` checks except the reads: the tenant, the body digest, the
 * head-end's signature (or credential proof) with its registered key, the request binding and
 * the batch id. O(1) per batch apart from hashing the body once: the notary runs this on the
 * append's way and leaves the reads to its re-checker (docs/notary-formats.md).
 */
export async function verifyMeterBatchSignature(record: MeterBatchHeader, topicTenant: string, registry: RegistryState, contexts: CredentialContexts = CredentialContexts.BUNDLED): Promise<BatchVerdict> {
  if (record.discomId !== topicTenant) return fail('IES_ERR_TENANT_FORBIDDEN', `batch ${record.batchId} names DISCOM ${record.discomId} but is on ${topicTenant}'s topic`, false);
  const digest = createHash('sha256').update(record.body).digest('hex');
  if (digest !== record.bodySha256) return fail('IES_ERR_DIGEST_MISMATCH', `batch ${record.batchId} body hashes to ${digest}, not to its bodySha256 ${record.bodySha256}`, false);

  if (record.format === 'IES_METERDATA_VC') return verifyCredentialBatch(record, registry, contexts);

  let key: KeyRecord | undefined;
  let header: DetachedHeader;
  try {
    header = await verifyDetached(record.body, record.signature, (kid) => {
      key = registry.key(kid);
      return key?.jwk;
    });
  } catch (err) {
    if (isIesError(err) && !err.retriable) return fail(err.code, `batch ${record.batchId}: ${err.message}`, true);
    throw err;
  }
  const signer = key as KeyRecord;
  if (signer.discomId !== record.discomId) return fail('IES_ERR_TENANT_FORBIDDEN', `batch ${record.batchId} is signed by kid ${signer.kid} of ${signer.discomId}, not of ${record.discomId}`, true);
  if (signer.participantId !== record.headEndId) return fail('IES_ERR_BATCH_SIGNER_MISMATCH', `batch ${record.batchId} names head-end ${record.headEndId} but is signed by kid ${signer.kid} of ${signer.participantId}`, true);
  const role = registry.participant(signer.discomId, signer.participantId)?.role;
  if (role !== 'HEADEND') return fail('IES_ERR_BATCH_SIGNER_MISMATCH', `batch ${record.batchId} is signed by ${signer.participantId}, a ${role ?? 'unregistered participant'}, not a HEADEND`, true);
  if (!Number.isSafeInteger(header.iat)) return fail('IES_ERR_SIGNATURE_INVALID', `batch ${record.batchId} signature has no integer iat`, false);
  if (signer.status === 'REVOKED' && (signer.revokedAt === undefined || signer.revokedAt <= header.iat * 1000)) {
    const when = signer.revokedAt === undefined ? 'revoked' : `revoked at ${new Date(signer.revokedAt).toISOString()}`;
    return fail('IES_ERR_KEY_REVOKED', `batch ${record.batchId} is signed by kid ${signer.kid} at ${new Date(header.iat * 1000).toISOString()}, but the key was ${when}`, true);
  }
  try {
    // Every batch, over HTTP or Kafka intake, is signed as POST /v1/meter-data for its tenant.
    checkRequestBinding(header, { htm: METER_DATA_WRITE.method, htu: METER_DATA_WRITE.path, tenant: record.discomId });
  } catch (err) {
    if (isIesError(err) && !err.retriable) return fail(err.code, `batch ${record.batchId}: ${err.message}`, false);
    throw err;
  }
  if (record.batchId !== `${record.headEndId}:${header.jti}`) return fail('IES_ERR_BATCH_SIGNER_MISMATCH', `batch id ${record.batchId} is not <headEndId>:<jti> = ${record.headEndId}:${String(header.jti)}`, false);
  return { ok: true, kid: signer.kid, iat: header.iat };
}

/**
 * A batch that came as a MeterDataCredential: the body is the credential as received, and it
 * authenticates itself. Its proof verifies against the registered key of its issuer (a
 * HEADEND `headEndId` of `discomId`, not revoked before the proof's `created`), it was within
 * its validity period at `receivedAt`, and `batchId` is `<headEndId>:<credential id>`. Its
 * status (revocation) is the gateway's check at acceptance and is not re-run: a credential
 * revoked after it was accepted stays accepted, as a batch does when its key is revoked later.
 */
async function verifyCredentialBatch(record: MeterBatchHeader, registry: RegistryState, contexts: CredentialContexts): Promise<BatchVerdict> {
  if (record.signature !== '') return fail('IES_ERR_BATCH_SIGNER_MISMATCH', `batch ${record.batchId} is a credential but carries a detached signature`, false);
  let signer: CredentialSigner | undefined;
  let created: number;
  try {
    const claims = await verifyMeterDataCredential(record.body, {
      nowMs: record.receivedAt,
      maxSkewMs: CREDENTIAL_SKEW_MS,
      parseJson: parseStrictJson,
      contexts,
      issuerKey: (issuerDid, kid) => {
        signer = credentialSigner(registry, issuerDid, kid, { tenant: record.discomId, revokedBy: Number.MIN_SAFE_INTEGER }); // judged below, at the proof's created
        return { x: signer.key.jwk.x };
      },
    });
    created = claims.createdMs ?? record.receivedAt;
    const s = signer as CredentialSigner;
    if (s.key.status === 'REVOKED' && (s.key.revokedAt === undefined || s.key.revokedAt <= created)) {
      return fail('IES_ERR_KEY_REVOKED', `batch ${record.batchId} is a credential proved by kid ${s.key.kid} at ${new Date(created).toISOString()}, but the key was revoked`, true);
    }
    if (s.participant.id !== record.headEndId) return fail('IES_ERR_BATCH_SIGNER_MISMATCH', `batch ${record.batchId} names head-end ${record.headEndId} but its credential is issued by ${s.participant.id}`, true);
    if (record.batchId !== `${record.headEndId}:${claims.id}`) return fail('IES_ERR_BATCH_SIGNER_MISMATCH', `batch id ${record.batchId} is not <headEndId>:<credential id> = ${record.headEndId}:${claims.id}`, false);
  } catch (err) {
    if (isIesError(err) && !err.retriable) return fail(err.code, `batch ${record.batchId}: ${err.message}`, err.code === 'IES_ERR_CREDENTIAL_ISSUER_KEY');
    throw err;
  }
  return { ok: true, kid: (signer as CredentialSigner).key.kid, iat: Math.floor(created / 1000) };
}

/** The skew a credential's validFrom may be ahead of the node clock, as the gateway allows it (its auth skew). */
export const CREDENTIAL_SKEW_MS = 300_000;

/** The record's reads against the body normalised again; undefined when they agree. */
function checkReads(record: MeterBatchRecord, registry: RegistryState, recordColumns: RecordReadColumns | undefined): BatchVerdict | undefined {
  const context = () => ingestContextFor(registry, record.discomId, record.headEndId, record.receivedAt);
  // The common case in one pass: a compact CSV body whose every read passes VEE gives its reads
  // as columns (exactly normaliseBatch's reads, with nothing rejected), compared read by read
  // without an object per expected read; with the record's reads as columns too, without an
  // object on either side. Any other body is normalised the usual way.
  if (record.format === 'COMPACT_CSV' && (record.rejected ?? []).length === 0) {
    const columns = compactCsvColumns(record.body, context());
    if (columns !== undefined) {
      if (recordColumns !== undefined && sameColumns(recordColumns, columns)) return undefined;
      // A difference is worded from the reads as objects, as without the record's columns.
      const difference = readsDifferenceFromColumns(record.reads, columns);
      return difference === undefined ? undefined : fail('IES_ERR_BATCH_READS_MISMATCH', `batch ${record.batchId}: ${difference}`, true);
    }
  }
  let expected: IngestResult;
  try {
    expected = normaliseBatch(record.format, record.body, context(), parseStrictJson);
  } catch (err) {
    if (isIesError(err) && !err.retriable) return fail('IES_ERR_BATCH_READS_MISMATCH', `batch ${record.batchId}: the signed body is refused as a whole (${err.code}: ${err.message}), yet the record carries reads`, true);
    throw err;
  }
  const difference = readsDifference(record, expected);
  if (difference !== undefined) return fail('IES_ERR_BATCH_READS_MISMATCH', `batch ${record.batchId}: ${difference}`, true);
  return undefined;
}

/** readsDifference against a body's reads as compactCsvColumns gives them (none rejected). */
export function readsDifferenceFromColumns(reads: readonly NormalisedRead[], c: CompactCsvColumns): string | undefined {
  if (reads.length !== c.count) return `the record carries ${reads.length} reads, the signed body gives ${c.count}`;
  for (let i = 0; i < c.count; i += 1) {
    const a = reads[i] as NormalisedRead;
    if (a.meterId !== c.meterIds[c.meter[i] as number] || a.blockStart !== c.blockStart[i] || a.channel !== CHANNELS[c.channel[i] as number] || a.wh !== c.wh[i] || a.validationStatus !== VALIDATION_STATUSES[c.status[i] as number] || a.source !== COMPACT_CSV_SOURCE) {
      return `read ${i} is ${describe(a)} in the record but ${describe(readOfColumns(c, i))} in the signed body`;
    }
  }
  return undefined;
}

/** True when the record's reads (as columns) are exactly the body's. */
export function sameColumns(r: RecordReadColumns, c: CompactCsvColumns): boolean {
  if (r.count !== c.count) return false;
  const channels = r.channelSymbols.map((s) => CHANNELS.indexOf(s as Channel));
  const statuses = r.statusSymbols.map((s) => VALIDATION_STATUSES.indexOf(s as ValidationStatus));
  const sources = r.sourceSymbols.map((s) => s === COMPACT_CSV_SOURCE);
  const { bytes } = r;
  for (let i = 0; i < c.count; i += 1) {
    if (r.blockStart[i] !== c.blockStart[i] || r.wh[i] !== c.wh[i] || channels[r.channel[i] as number] !== c.channel[i] || statuses[r.status[i] as number] !== c.status[i] || sources[r.source[i] as number] !== true) return false;
    const at = r.meterAt[i] as number;
    if (!sameAsciiId(c.meterIds[c.meter[i] as number] as string, bytes, at, at + (r.meterLength[i] as number))) return false;
  }
  return true;
}

/** The first difference between the record's reads and the normalised body's, or undefined. */
export function readsDifference(record: Pick<MeterBatchRecord, 'reads' | 'rejected'>, expected: Pick<IngestResult, 'reads' | 'rejected'>): string | undefined {
  if (record.reads.length !== expected.reads.length) return `the record carries ${record.reads.length} reads, the signed body gives ${expected.reads.length}`;
  for (let i = 0; i < expected.reads.length; i += 1) {
    const a = record.reads[i] as NormalisedRead;
    const b = expected.reads[i] as NormalisedRead;
    if (a.meterId !== b.meterId || a.blockStart !== b.blockStart || a.channel !== b.channel || a.wh !== b.wh || a.validationStatus !== b.validationStatus || a.source !== b.source) {
      return `read ${i} is ${describe(a)} in the record but ${describe(b)} in the signed body`;
    }
  }
  // Rejected reads are compared by position only: their codes may legitimately differ with the
  // tenants a view holds (a meter of a tenant this process does not serve is "unknown" here,
  // "another DISCOM's" at the gateway); either way the read is not accepted.
  const rejected = record.rejected ?? [];
  if (rejected.length !== expected.rejected.length) return `the record carries ${rejected.length} rejected reads, the signed body gives ${expected.rejected.length}`;
  for (let i = 0; i < rejected.length; i += 1) {
    const a = (rejected[i] as { index: number }).index;
    const b = (expected.rejected[i] as { index: number }).index;
    if (a !== b) return `rejected read ${i} is candidate #${a} in the record but #${b} in the signed body`;
  }
  return undefined;
}

function describe(r: NormalisedRead): string {
  return `${r.meterId} ${new Date(r.blockStart).toISOString()} ${r.channel} ${r.wh} Wh ${r.validationStatus}/${r.source}`;
}

function fail(code: ErrorCode, message: string, registryDependent: boolean): BatchVerdict {
  return { ok: false, code, message, registryDependent };
}

/** What a verifier needs of a registry view: a way to wait until it holds what the topic holds. */
export interface CatchUp {
  catchUp(notBeforeMs: number): Promise<void>;
}

/**
 * `verifyMeterBatch` against a live registry view. A registry-dependent failure is checked
 * once more after the view caught up with everything the registry topic held when this
 * check began: the gateway wrote the registry documents it relied on before it accepted the
 * batch, and the batch was on its topic before this process fetched it, so a genuine batch
 * is never refused because this process's view lagged the gateway's (no clocks compared).
 * Genuine batches pay nothing for this; each refused one costs one catch-up, shared by
 * concurrent checks.
 */
export class BatchVerifier {
  constructor(
    private readonly registry: RegistryState,
    private readonly view?: CatchUp,
    private readonly now: () => number = Date.now,
    /** The JSON-LD contexts credentials verify with: the same set the gateway accepted them with (loadCredentialContexts). */
    private readonly contexts: CredentialContexts = CredentialContexts.BUNDLED,
  ) {}

  /** The whole check (verifyMeterBatch). */
  check(record: MeterBatchRecord, topicTenant: string, columns?: RecordReadColumns): Promise<BatchVerdict> {
    return this.caughtUp(() => verifyMeterBatch(record, topicTenant, this.registry, this.contexts, columns));
  }

  /** Everything but the reads (verifyMeterBatchSignature): the notary's check on the append's way. */
  checkSignature(record: MeterBatchHeader, topicTenant: string): Promise<BatchVerdict> {
    return this.caughtUp(() => verifyMeterBatchSignature(record, topicTenant, this.registry, this.contexts));
  }

  private async caughtUp(run: () => Promise<BatchVerdict>): Promise<BatchVerdict> {
    const startedAt = this.now();
    const first = await run();
    if (first.ok || !first.registryDependent || this.view === undefined) return first;
    await this.view.catchUp(startedAt);
    return run();
  }
}
