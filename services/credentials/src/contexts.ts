import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { IesError } from '@ies/errors';
import * as dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import * as multikeyContext from '@digitalbazaar/multikey-context';

const require = createRequire(import.meta.url);
const credentialsContext = require('@digitalbazaar/credentials-context') as { contexts: Map<string, object> };
const ed25519Context = require('ed25519-signature-2020-context') as { CONTEXT_URL: string; CONTEXT: object };

export const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const ED25519_2020_CONTEXT = ed25519Context.CONTEXT_URL;
export const DATA_INTEGRITY_V2_CONTEXT = dataIntegrityContext.CONTEXT_URL as string;
export const MULTIKEY_V1_CONTEXT = multikeyContext.CONTEXT_URL as string;
/** IES MeterDataCredential v0.6 (ies-accelerator e5fa8d5, MIT): usable with eddsa-jcs-2022 only (see ingest.md). */
export const IES_METERDATA_CREDENTIAL_CONTEXT = 'https://india-energy-stack.github.io/ies-accelerator/schemas/MeterDataCredential/v0.6/context.jsonld';
/** IES MeterData v0.6 (ies-accelerator e5fa8d5, MIT): the `@context` each profile inside `meterData` names. */
export const IES_METERDATA_CONTEXT = 'https://india-energy-stack.github.io/ies-accelerator/schemas/MeterData/v0.6/context.jsonld';
/** This project's context: `meterData` as a JSON literal, so RDF canonicalisation (Ed25519Signature2020) can sign it. */
export const METERDATA_JSON_CONTEXT = 'urn:ies-backbone:context:meterdata-credential-json:v1';
/**
 * DEG EnergyCredential v2.0, which IES lists second: not bundled (licence; ingest.md section 5).
 * An operator who holds a copy supplies it (IES_CREDENTIAL_CONTEXTS_DIR, operator-contexts.ts).
 */
export const DEG_ENERGY_CREDENTIAL_CONTEXTS = ['https://schema.nfh.global/EnergyCredential/v2.0/context.jsonld', 'https://schema.beckn.io/EnergyCredential/v2.0/context.jsonld'];

function bundled(file: string): object {
  return JSON.parse(readFileSync(new URL(`../../contexts/${file}`, import.meta.url), 'utf8')) as object;
}

/**
 * Every JSON-LD context the project holds: the W3C and security contexts from their npm
 * packages, the IES ones as files in `contexts/`. Nothing is fetched.
 */
const BUNDLED: ReadonlyMap<string, object> = new Map<string, object>([
  ...credentialsContext.contexts,
  [ED25519_2020_CONTEXT, ed25519Context.CONTEXT],
  [DATA_INTEGRITY_V2_CONTEXT, dataIntegrityContext.CONTEXT as object],
  [MULTIKEY_V1_CONTEXT, multikeyContext.CONTEXT as object],
  [IES_METERDATA_CREDENTIAL_CONTEXT, bundled('ies-meterdatacredential-v0.6.jsonld')],
  [IES_METERDATA_CONTEXT, bundled('ies-meterdata-v0.6.jsonld')],
  [METERDATA_JSON_CONTEXT, bundled('meterdata-credential-json-v1.jsonld')],
]);

/** A context the node's operator supplied (IES_CREDENTIAL_CONTEXTS_DIR), as loaded at start. */
export interface OperatorContext {
  readonly url: string;
  /** The file it was read from, for messages. */
  readonly file: string;
  readonly document: object;
}

/**
 * The JSON-LD contexts a node knows: the bundled ones, plus those its operator supplied.
 * Verification and signing load only these; a credential naming any other is refused.
 */
export class CredentialContexts {
  /** The bundled contexts alone (no operator directory). */
  static readonly BUNDLED = new CredentialContexts([]);

  private readonly byUrl: ReadonlyMap<string, object>;
  readonly operator: readonly OperatorContext[];

  /** Callers check the operator's URLs (operator-contexts.ts); a URL clashing with a bundled one is refused here too. */
  constructor(operator: readonly OperatorContext[]) {
    const byUrl = new Map(BUNDLED);
    for (const c of operator) {
      if (byUrl.has(c.url)) throw new IesError('IES_ERR_CONFIG_INVALID', `operator context ${c.url} (${c.file}) clashes with a context the node already holds`);
      byUrl.set(c.url, c.document);
    }
    this.byUrl = byUrl;
    this.operator = Object.freeze([...operator]);
    Object.freeze(this);
  }

  get(url: string): object | undefined {
    return this.byUrl.get(url);
  }

  has(url: string): boolean {
    return this.byUrl.has(url);
  }

  urls(): string[] {
    return [...this.byUrl.keys()].sort();
  }

  /** A jsonld document loader over these contexts alone: never the network. */
  loader(): (url: string) => Promise<{ contextUrl: null; documentUrl: string; document: object }> {
    return async (url: string) => {
      const document = this.byUrl.get(url);
      if (document === undefined) throw unknownContext(url, 'document loader');
      return { contextUrl: null, documentUrl: url, document };
    };
  }
}

export function isBundledContext(url: string): boolean {
  return BUNDLED.has(url);
}

export function bundledContextUrls(): string[] {
  return CredentialContexts.BUNDLED.urls();
}

export function bundledContext(url: string): object | undefined {
  return BUNDLED.get(url);
}

/**
 * Refuses a document that names, anywhere (the credential, its proof, a profile inside
 * `meterData`), a context URL the node does not hold. Inline context objects are part of
 * the signed document and allowed; the URLs they reference are checked too.
 */
export function assertContextsKnown(doc: unknown, contexts: CredentialContexts = CredentialContexts.BUNDLED, path = ''): void {
  if (Array.isArray(doc)) {
    doc.forEach((v, i) => assertContextsKnown(v, contexts, `${path}[${i}]`));
    return;
  }
  if (doc === null || typeof doc !== 'object') return;
  for (const [k, v] of Object.entries(doc)) {
    if (k === '@context') checkContextValue(v, contexts, `${path}/@context`);
    else assertContextsKnown(v, contexts, `${path}/${k}`);
  }
}

function checkContextValue(v: unknown, contexts: CredentialContexts, path: string): void {
  if (Array.isArray(v)) {
    v.forEach((c, i) => checkContextValue(c, contexts, `${path}[${i}]`));
  } else if (typeof v === 'string') {
    if (!contexts.has(v)) throw unknownContext(v, path);
  } else if (v !== null && typeof v === 'object') {
    assertContextsKnown(v, contexts, path);
  } else if (v !== null) {
    throw new IesError('IES_ERR_CREDENTIAL_INVALID', `${path} is ${JSON.stringify(v)}, not a context URL or object`);
  }
}

export function unknownContext(url: string, path: string): IesError {
  const why = DEG_ENERGY_CREDENTIAL_CONTEXTS.includes(url)
    ? ' (DEG EnergyCredential v2.0 is not bundled, its licence being CC BY-NC-SA 4.0: an operator who holds a copy supplies it in IES_CREDENTIAL_CONTEXTS_DIR; see docs/ingest.md section 5)'
    : '';
  return new IesError('IES_ERR_CREDENTIAL_CONTEXT_UNKNOWN', `JSON-LD context ${url} at ${path || '/'} is neither bundled with the node nor supplied by its operator, and the node never fetches one${why}`, { details: { context: url, path } });
}
