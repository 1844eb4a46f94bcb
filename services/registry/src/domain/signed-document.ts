import { createHash } from 'node:crypto';
import { verifyDetached, type KeyResolver } from '@ies/crypto';
import { isIesError, type ErrorCode } from '@ies/errors';
import { parseRegistryDocument, type RegistryEntry } from './model.js';

/**
 * One record of `ies.<discom>.registry.v1` as written (Avro `RegistryEntry`). Materialisers
 * apply only kind DOCUMENT: the operator-signed document itself. The per-entity kinds are
 * the older unsigned form, which anyone able to produce to the topic could forge.
 */
export interface RegistryRecord extends Omit<RegistryEntry, 'kind'> {
  kind: RegistryEntry['kind'] | 'DOCUMENT';
  document?: SignedDocument | null;
}

/** A registry document exactly as the node operator signed it. */
export interface SignedDocument {
  body: Uint8Array;
  /** The operator's detached JWS over `body`. */
  signature: string;
}

export type OpenedDocument =
  | { ok: true; entries: RegistryEntry[]; kid: string; iat: number }
  | { ok: false; code: ErrorCode; message: string };

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The registry.v1 record that carries a signed document: key `DOCUMENT:<sha256 of body>`, versioned by the signature's iat. */
export function documentRecord(discomId: string, doc: SignedDocument, iat: number): RegistryRecord {
  return { kind: 'DOCUMENT', id: sha256Hex(doc.body), discomId, updatedAt: iat * 1000, participant: null, key: null, meter: null, enrolment: null, document: doc };
}

/**
 * Opens a registry.v1 record found on `tenant`'s topic: only a DOCUMENT whose body hashes to
 * its id, whose detached JWS verifies with a node operator key (`operatorKeys`), and which
 * names `tenant` yields entries, versioned by the signature's iat (as the gateway applied
 * them). Anything else is refused with a stable code, never applied.
 */
export async function openRegistryRecord(record: RegistryRecord, tenant: string, operatorKeys: KeyResolver): Promise<OpenedDocument> {
  if (record.kind !== 'DOCUMENT') {
    return refuse('IES_ERR_REGISTRY_UNSIGNED', `registry record ${record.kind}:${record.id} is an unsigned per-entity entry; only operator-signed DOCUMENT records are applied`);
  }
  const doc = record.document;
  if (!doc || typeof doc.signature !== 'string' || doc.signature.length === 0) {
    return refuse('IES_ERR_REGISTRY_UNSIGNED', `registry document ${record.id} carries no operator signature`);
  }
  const digest = sha256Hex(doc.body);
  if (digest !== record.id) return refuse('IES_ERR_DIGEST_MISMATCH', `registry document body hashes to ${digest}, not to its id ${record.id}`);
  if (record.discomId !== tenant) return refuse('IES_ERR_TENANT_FORBIDDEN', `registry document ${record.id} names DISCOM ${record.discomId} but is on ${tenant}'s topic`);
  let header: Awaited<ReturnType<typeof verifyDetached>> & { tenant?: unknown };
  try {
    header = await verifyDetached(doc.body, doc.signature, operatorKeys);
  } catch (err) {
    // Only a signature that does not verify refuses the record; an unreadable operator JWKS
    // (IES_ERR_CONFIG_INVALID) is the node's fault and must not dead-letter a genuine document.
    if (isIesError(err) && (err.code === 'IES_ERR_SIGNATURE_INVALID' || err.code === 'IES_ERR_AUTH_MISSING')) return refuse(err.code, `operator signature of registry document ${record.id}: ${err.message}`);
    throw err;
  }
  if (!Number.isSafeInteger(header.iat)) return refuse('IES_ERR_SIGNATURE_INVALID', `operator signature of registry document ${record.id} has no integer iat`);
  // The protected header may bind the document to a tenant; it must then be this one.
  if (header.tenant !== undefined && header.tenant !== tenant) return refuse('IES_ERR_TENANT_FORBIDDEN', `registry document ${record.id} was signed for tenant ${JSON.stringify(header.tenant)}, not ${tenant}`);
  let entries: RegistryEntry[];
  try {
    entries = parseRegistryDocument(Buffer.from(doc.body).toString('utf8'), header.iat * 1000);
  } catch (err) {
    if (isIesError(err)) return refuse(err.code, err.message);
    throw err;
  }
  const foreign = entries.find((e) => e.discomId !== tenant);
  if (foreign) return refuse('IES_ERR_TENANT_FORBIDDEN', `registry document ${record.id} describes DISCOM ${foreign.discomId}, not ${tenant}`);
  return { ok: true, entries, kid: header.kid, iat: header.iat };
}

function refuse(code: ErrorCode, message: string): OpenedDocument {
  return { ok: false, code, message };
}
