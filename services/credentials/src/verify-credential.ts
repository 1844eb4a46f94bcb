import { isSafeId } from '@ies/contracts';
import { IesError } from '@ies/errors';
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { createVerifyCryptosuite } from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import { assertContextsKnown, CredentialContexts, ED25519_2020_CONTEXT, MULTIKEY_V1_CONTEXT, VC_V2_CONTEXT } from './contexts.js';
import { ed25519PublicKeyMultibase } from './multibase.js';

/** The two proof kinds the node verifies. */
export type ProofKind = 'Ed25519Signature2020' | 'eddsa-jcs-2022';

/** A MeterDataCredential as far as the node reads it before verifying its proof. */
export interface CredentialClaims {
  /** The credential `id`: the batch id's second half, unique per issuer (replay). */
  id: string;
  issuerDid: string;
  /** `<issuerDid>#<kid>`: the proof's verificationMethod. */
  verificationMethod: string;
  kid: string;
  proofKind: ProofKind;
  /** `proof.created` (epoch ms), when present. */
  createdMs: number | undefined;
  validFromMs: number | undefined;
  validUntilMs: number | undefined;
  credentialStatus: unknown;
  /** `credentialSubject.meterData`: one IES MeterData v0.6 profile or an array of them. */
  meterData: unknown;
}

/** The Ed25519 public key an issuer registered under `kid`; throws IES_ERR_CREDENTIAL_ISSUER_KEY when there is none. */
export type IssuerKeyResolver = (issuerDid: string, kid: string) => { x: string };

export interface VerifyOptions {
  /** The node time the credential is judged at (epoch ms): the request's, or the batch's receivedAt downstream. */
  nowMs: number;
  /** Clock skew allowed on validFrom (ms). */
  maxSkewMs: number;
  issuerKey: IssuerKeyResolver;
  /** The strict JSON parser of @ies/crypto (a member named twice is refused). */
  parseJson: (text: string) => unknown;
  /** The contexts the node holds (loadCredentialContexts: bundled plus the operator's); the bundled ones when absent. */
  contexts?: CredentialContexts;
}

const DID_WEB = /^did:web:[A-Za-z0-9._%-]+(:[A-Za-z0-9._%-]+)*$/;

/**
 * Reads a MeterDataCredential from its bytes and checks what can be checked without keys:
 * the VC 2.0 shape, one supported proof, every context one the node holds. Throws IES_ERR_CREDENTIAL_*.
 */
export function readCredential(body: Uint8Array, parseJson: (text: string) => unknown, contexts: CredentialContexts = CredentialContexts.BUNDLED): { credential: Record<string, unknown>; claims: CredentialClaims } {
  let doc: unknown;
  try {
    doc = parseJson(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (cause) {
    if (cause instanceof IesError) throw cause;
    throw new IesError('IES_ERR_CREDENTIAL_INVALID', `body is not JSON: ${(cause as Error).message}`, { cause });
  }
  const invalid = (msg: string) => new IesError('IES_ERR_CREDENTIAL_INVALID', msg);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw invalid('a credential is a JSON object');
  const c = doc as Record<string, unknown>;
  const contextList = c['@context'];
  if (!Array.isArray(contextList) || contextList[0] !== VC_V2_CONTEXT) throw invalid(`@context must be an array starting with ${VC_V2_CONTEXT} (VC Data Model 2.0)`);
  const types = Array.isArray(c.type) ? c.type : [c.type];
  if (!types.includes('VerifiableCredential') || !types.includes('MeterDataCredential')) throw invalid(`type ${JSON.stringify(c.type)} must include VerifiableCredential and MeterDataCredential`);
  if (!isSafeId(c.id)) throw invalid(`credential id ${JSON.stringify(c.id)} must be 1–128 characters of A-Z a-z 0-9 . _ : - (e.g. urn:uuid:…): it becomes the batch id`);
  const issuerDid = typeof c.issuer === 'string' ? c.issuer : typeof c.issuer === 'object' && c.issuer !== null ? (c.issuer as Record<string, unknown>).id : undefined;
  if (typeof issuerDid !== 'string' || !DID_WEB.test(issuerDid)) throw invalid(`issuer ${JSON.stringify(issuerDid)} must be a did:web DID`);
  const subject = c.credentialSubject as Record<string, unknown> | undefined;
  if (subject === null || typeof subject !== 'object' || Array.isArray(subject) || subject.meterData === undefined) throw invalid('credentialSubject must be one object carrying meterData');
  const proof = c.proof as Record<string, unknown> | undefined;
  if (proof === null || typeof proof !== 'object' || Array.isArray(proof)) throw invalid('proof must be one Data Integrity proof object (no proof sets or chains)');
  let proofKind: ProofKind;
  if (proof.type === 'Ed25519Signature2020') proofKind = 'Ed25519Signature2020';
  else if (proof.type === 'DataIntegrityProof' && proof.cryptosuite === 'eddsa-jcs-2022') proofKind = 'eddsa-jcs-2022';
  else throw invalid(`proof type ${JSON.stringify(proof.type)}${proof.cryptosuite === undefined ? '' : ` (${JSON.stringify(proof.cryptosuite)})`} is not Ed25519Signature2020 or DataIntegrityProof with eddsa-jcs-2022`);
  if (proof.proofPurpose !== 'assertionMethod') throw invalid(`proofPurpose ${JSON.stringify(proof.proofPurpose)} must be assertionMethod`);
  const vm = typeof proof.verificationMethod === 'string' ? proof.verificationMethod : '';
  const hash = vm.indexOf('#');
  if (hash < 0 || vm.slice(0, hash) !== issuerDid || hash === vm.length - 1) throw invalid(`proof verificationMethod ${JSON.stringify(proof.verificationMethod)} must be <issuer DID>#<kid> (${issuerDid}#…)`);
  assertContextsKnown(c, contexts);
  return {
    credential: c,
    claims: {
      id: c.id, issuerDid, verificationMethod: vm, kid: vm.slice(hash + 1), proofKind,
      createdMs: optionalInstant(proof.created, 'proof.created'),
      validFromMs: optionalInstant(c.validFrom, 'validFrom'),
      validUntilMs: optionalInstant(c.validUntil, 'validUntil'),
      credentialStatus: c.credentialStatus,
      meterData: subject.meterData,
    },
  };
}

function optionalInstant(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  const ms = typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(v) ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) throw new IesError('IES_ERR_CREDENTIAL_INVALID', `${name} ${JSON.stringify(v)} is not an RFC 3339 date-time with an offset`);
  return ms;
}

/** Refuses a credential outside its validity period at `nowMs` (validFrom with the skew window). */
export function checkValidityPeriod(claims: CredentialClaims, nowMs: number, maxSkewMs: number): void {
  if (claims.validUntilMs !== undefined && claims.validUntilMs <= nowMs) {
    throw new IesError('IES_ERR_CREDENTIAL_EXPIRED', `credential ${claims.id} expired at ${new Date(claims.validUntilMs).toISOString()}; the node time is ${new Date(nowMs).toISOString()}`, { details: { validUntil: new Date(claims.validUntilMs).toISOString() } });
  }
  if (claims.validFromMs !== undefined && claims.validFromMs > nowMs + maxSkewMs) {
    throw new IesError('IES_ERR_CREDENTIAL_NOT_YET_VALID', `credential ${claims.id} is valid from ${new Date(claims.validFromMs).toISOString()}; the node time is ${new Date(nowMs).toISOString()} (skew allowed ${maxSkewMs / 1000} s)`, { details: { validFrom: new Date(claims.validFromMs).toISOString() } });
  }
}

/**
 * Verifies a MeterDataCredential: shape and contexts (readCredential), validity period,
 * the issuer's registered key, then the Data Integrity proof with Digital Bazaar's
 * `@digitalbazaar/vc` and the suite the proof names. The document loader serves only the
 * bundled contexts and the issuer's key and controller document built from the registry:
 * verification never touches the network. Status (revocation) is the caller's to check
 * (checkCredentialStatus), against the lists it holds.
 */
export async function verifyMeterDataCredential(body: Uint8Array, opts: VerifyOptions): Promise<CredentialClaims> {
  const contexts = opts.contexts ?? CredentialContexts.BUNDLED;
  const { credential, claims } = readCredential(body, opts.parseJson, contexts);
  checkValidityPeriod(claims, opts.nowMs, opts.maxSkewMs);
  const key = opts.issuerKey(claims.issuerDid, claims.kid);
  const publicKeyMultibase = ed25519PublicKeyMultibase(key.x);
  const ed2020 = claims.proofKind === 'Ed25519Signature2020';
  const method = ed2020
    ? { '@context': ED25519_2020_CONTEXT, id: claims.verificationMethod, type: 'Ed25519VerificationKey2020', controller: claims.issuerDid, publicKeyMultibase }
    : { '@context': MULTIKEY_V1_CONTEXT, id: claims.verificationMethod, type: 'Multikey', controller: claims.issuerDid, publicKeyMultibase };
  // A DID document of the issuer as the registry knows it: only the registered key, for assertions.
  const controller = { '@context': ['https://www.w3.org/ns/did/v1'], id: claims.issuerDid, assertionMethod: [claims.verificationMethod] };
  const loadContext = contexts.loader();
  const documentLoader = async (url: string) => {
    if (url === claims.verificationMethod) return { contextUrl: null, documentUrl: url, document: method };
    if (url === claims.issuerDid) return { contextUrl: null, documentUrl: url, document: controller };
    return loadContext(url);
  };
  const suite = ed2020 ? new Ed25519Signature2020() : new DataIntegrityProof({ cryptosuite: createVerifyCryptosuite() });
  let result: { verified: boolean; error?: LibraryError & { errors?: LibraryError[] }; results?: { error?: LibraryError }[] };
  try {
    result = await vc.verifyCredential({
      credential, suite, documentLoader,
      now: new Date(opts.nowMs), maxClockSkew: Math.floor(opts.maxSkewMs / 1000),
      // Revocation is checked by the caller against the registry's lists.
      checkStatus: async () => ({ verified: true }),
    });
  } catch (cause) {
    if (cause instanceof IesError) throw cause;
    throw jsonLdRefusal(claims, cause as LibraryError) ?? new IesError('IES_ERR_CREDENTIAL_PROOF_INVALID', `credential ${claims.id}: ${(cause as Error).message}`, { cause });
  }
  if (!result.verified) {
    const error = result.results?.find((r) => r.error)?.error ?? result.error?.errors?.[0] ?? result.error;
    if (error instanceof IesError) throw error;
    const refusal = error && jsonLdRefusal(claims, error);
    if (refusal) throw refusal;
    const reason = error?.message ?? 'the proof does not verify';
    throw new IesError('IES_ERR_CREDENTIAL_PROOF_INVALID', `credential ${claims.id}: ${claims.proofKind} proof by ${claims.verificationMethod} does not verify: ${reason}`, { details: { verificationMethod: claims.verificationMethod } });
  }
  return claims;
}

/** An error as the Digital Bazaar libraries and jsonld report it: jsonld's carry `name` `jsonld.*` and `details.code`. */
interface LibraryError {
  name?: string;
  message?: string;
  details?: { code?: string; term?: string; cause?: unknown };
}

/**
 * A JSON-LD processing error while canonicalising for Ed25519Signature2020 (RDF Dataset
 * Canonicalization): the credential's context chain is one no conformant processor accepts,
 * e.g. a context that redefines a term the VC 2.0 context protects. That is not a forged or
 * tampered proof, so it gets its own code (IES_ERR_CREDENTIAL_CONTEXT_INVALID) naming the
 * processor's error code and term. eddsa-jcs-2022 never processes contexts, so never gets here.
 */
function jsonLdRefusal(claims: CredentialClaims, error: LibraryError): IesError | undefined {
  if (typeof error.name !== 'string' || !error.name.startsWith('jsonld.')) return undefined;
  // A context an operator context refers to, which the node does not hold: jsonld wraps the loader's refusal.
  if (error.details?.cause instanceof IesError) return error.details.cause;
  const code = error.details?.code;
  const term = error.details?.term;
  return new IesError(
    'IES_ERR_CREDENTIAL_CONTEXT_INVALID',
    `credential ${claims.id}: its JSON-LD contexts cannot be processed for its ${claims.proofKind} proof (${error.name}${code ? `, "${code}"` : ''}${term ? ` of term "${term}"` : ''}: ${error.message ?? ''}); a context that redefines a term protected by the VC 2.0 context works only with eddsa-jcs-2022 (docs/ingest.md section 5)`,
    { details: { proofKind: claims.proofKind, ...(code ? { jsonLdCode: code } : {}), ...(term ? { term } : {}) } },
  );
}
