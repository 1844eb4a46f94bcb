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
/** DEG EnergyCredential v2.0, which IES asks for: not bundled (licence and protected terms; ingest.md section 5). */
export const DEG_ENERGY_CREDENTIAL_CONTEXTS = ['https://schema.nfh.global/EnergyCredential/v2.0/context.jsonld', 'https://schema.beckn.io/EnergyCredential/v2.0/context.jsonld'];

function bundled(file: string): object {
  return JSON.parse(readFileSync(new URL(`../../contexts/${file}`, import.meta.url), 'utf8')) as object;
}

/**
 * Every JSON-LD context verification may read, held in the project: the W3C and security
 * contexts from their npm packages, the IES ones as files in `contexts/`. Nothing is fetched.
 */
const CONTEXTS: ReadonlyMap<string, object> = new Map<string, object>([
  ...credentialsContext.contexts,
  [ED25519_2020_CONTEXT, ed25519Context.CONTEXT],
  [DATA_INTEGRITY_V2_CONTEXT, dataIntegrityContext.CONTEXT as object],
  [MULTIKEY_V1_CONTEXT, multikeyContext.CONTEXT as object],
  [IES_METERDATA_CREDENTIAL_CONTEXT, bundled('ies-meterdatacredential-v0.6.jsonld')],
  [IES_METERDATA_CONTEXT, bundled('ies-meterdata-v0.6.jsonld')],
  [METERDATA_JSON_CONTEXT, bundled('meterdata-credential-json-v1.jsonld')],
]);

export function bundledContextUrls(): string[] {
  return [...CONTEXTS.keys()].sort();
}

export function bundledContext(url: string): object | undefined {
  return CONTEXTS.get(url);
}

/**
 * Refuses a document that names, anywhere (the credential, its proof, a profile inside
 * `meterData`), a context URL that is not bundled. Inline context objects are part of the
 * signed document and allowed; the URLs they reference are checked too.
 */
export function assertContextsBundled(doc: unknown, path = ''): void {
  if (Array.isArray(doc)) {
    doc.forEach((v, i) => assertContextsBundled(v, `${path}[${i}]`));
    return;
  }
  if (doc === null || typeof doc !== 'object') return;
  for (const [k, v] of Object.entries(doc)) {
    if (k === '@context') checkContextValue(v, `${path}/@context`);
    else assertContextsBundled(v, `${path}/${k}`);
  }
}

function checkContextValue(v: unknown, path: string): void {
  if (Array.isArray(v)) {
    v.forEach((c, i) => checkContextValue(c, `${path}[${i}]`));
  } else if (typeof v === 'string') {
    if (!CONTEXTS.has(v)) throw unknownContext(v, path);
  } else if (v !== null && typeof v === 'object') {
    assertContextsBundled(v, path);
  } else if (v !== null) {
    throw new IesError('IES_ERR_CREDENTIAL_INVALID', `${path} is ${JSON.stringify(v)}, not a context URL or object`);
  }
}

export function unknownContext(url: string, path: string): IesError {
  const why = DEG_ENERGY_CREDENTIAL_CONTEXTS.includes(url)
    ? ' (DEG EnergyCredential v2.0 is not bundled: its licence is CC BY-NC-SA 4.0 and it redefines protected VC 2.0 terms; see docs/ingest.md section 5)'
    : '';
  return new IesError('IES_ERR_CREDENTIAL_CONTEXT_UNKNOWN', `JSON-LD context ${url} at ${path || '/'} is not bundled with the node, which never fetches one${why}`, { details: { context: url, path } });
}
