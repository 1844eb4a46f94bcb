import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import { FlattenedSign, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { IesError } from '@ies/errors';

/** Algorithms a participant may sign with (DESIGN.md, Trust): no `none`, no HMAC. */
export const SIGNING_ALGORITHMS = ['EdDSA', 'ES256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export interface DetachedHeader {
  alg: SigningAlgorithm;
  kid: string;
  /** Seconds since the epoch when the sender signed. */
  iat: number;
  /** Unique message id (the batch id for head-ends). */
  jti: string;
  /** The request the signature is for (DPoP-style, RFC 9449 §4.2): HTTP method, upper case. */
  htm?: string;
  /** The request path the signature is for, exactly as sent (percent-encoding kept, no query). */
  htu?: string;
  /** The DISCOM (tenant) the write is for. */
  tenant?: string;
}

/** What binds a signed write to one request: method, path and tenant (DESIGN.md, Trust). */
export interface RequestBinding {
  htm: string;
  htu: string;
  tenant: string;
}

export interface KeyPair {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** A fresh key pair whose kid is its RFC 7638 thumbprint. */
export async function generateSigningKey(alg: SigningAlgorithm = 'EdDSA'): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return { kid, alg, privateKey, publicJwk: { ...publicJwk, kid, alg, use: 'sig' } };
}

/** The private JWK of a key pair (for a key file; never log it). */
export async function exportPrivateJwk(key: KeyPair): Promise<JWK> {
  return { ...(await exportJWK(key.privateKey)), kid: key.kid, alg: key.alg, use: 'sig' };
}

/** A signing key from a private JWK file's content. */
export async function importPrivateJwk(jwk: JWK): Promise<Pick<KeyPair, 'kid' | 'alg' | 'privateKey'>> {
  const alg = jwk.alg === 'ES256' || jwk.crv === 'P-256' ? 'ES256' : 'EdDSA';
  if (typeof jwk.d !== 'string') throw new Error('the key file holds no private key ("d")');
  const { d: _d, ...pub } = jwk;
  const kid = jwk.kid ?? (await calculateJwkThumbprint(pub));
  return { kid, alg, privateKey: (await importJWK(jwk, alg)) as CryptoKey };
}

/**
 * Detached JWS over the exact body bytes with the unencoded payload option (RFC 7797:
 * `b64:false`, `crit:["b64"]`): compact form `header..signature`, the body travels apart.
 */
export async function signDetached(body: Uint8Array, key: Pick<KeyPair, 'kid' | 'alg' | 'privateKey'>, claims: { iat: number; jti: string } & RequestBinding): Promise<string> {
  const jws = await new FlattenedSign(body)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, b64: false, crit: ['b64'], iat: claims.iat, jti: claims.jti, htm: claims.htm, htu: claims.htu, tenant: claims.tenant })
    .sign(key.privateKey);
  return `${jws.protected}..${jws.signature}`;
}

/** Resolves a kid to its public JWK, or undefined when the kid is unknown or revoked. */
export type KeyResolver = (kid: string) => JWK | undefined | Promise<JWK | undefined>;

/**
 * Verifies a detached compact JWS against `body`; returns the protected header. Refuses
 * any algorithm outside EdDSA/ES256 before looking at the key.
 */
export async function verifyDetached(body: Uint8Array, compact: string, resolveKey: KeyResolver): Promise<DetachedHeader> {
  if (typeof compact !== 'string' || compact.length === 0) throw new IesError('IES_ERR_AUTH_MISSING', 'no signature: send a detached JWS over the body (header..signature)');
  const parts = compact.split('.');
  if (parts.length !== 3 || parts[1] !== '') {
    throw new IesError('IES_ERR_SIGNATURE_INVALID', 'signature must be a detached compact JWS (header..signature)');
  }
  const [protectedB64 = '', , signature = ''] = parts;
  let header: Partial<DetachedHeader> & { b64?: unknown; crit?: unknown };
  try {
    header = JSON.parse(Buffer.from(protectedB64, 'base64url').toString('utf8')) as typeof header;
  } catch {
    throw new IesError('IES_ERR_SIGNATURE_INVALID', 'JWS protected header is not base64url JSON');
  }
  if (!SIGNING_ALGORITHMS.includes(header.alg as SigningAlgorithm)) {
    throw new IesError('IES_ERR_SIGNATURE_INVALID', `JWS alg ${JSON.stringify(header.alg)} is not allowed; use EdDSA or ES256`);
  }
  // RFC 7515 §4.1.11: every critical parameter must be understood; b64 (RFC 7797) is the only one here.
  if (header.b64 !== false || !Array.isArray(header.crit) || header.crit.length !== 1 || header.crit[0] !== 'b64') {
    throw new IesError('IES_ERR_SIGNATURE_INVALID', 'JWS must use the unencoded payload option (b64:false, crit:["b64"])');
  }
  if (typeof header.kid !== 'string') throw new IesError('IES_ERR_SIGNATURE_INVALID', 'JWS header has no kid');
  const jwk = await resolveKey(header.kid);
  if (!jwk) throw new IesError('IES_ERR_SIGNATURE_INVALID', `kid ${header.kid} is not a registered, active key`);
  let ok: boolean;
  try {
    ok = verifyUnencoded(protectedB64, body, signature, jwk, header.alg as SigningAlgorithm);
  } catch (cause) {
    throw new IesError('IES_ERR_SIGNATURE_INVALID', `signature by kid ${header.kid} does not verify over the ${body.length}-byte body`, { cause });
  }
  if (!ok) throw new IesError('IES_ERR_SIGNATURE_INVALID', `signature by kid ${header.kid} does not verify over the ${body.length}-byte body`);
  return header as DetachedHeader;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
/** Public KeyObjects of the JWKs seen, per algorithm: a registered key is parsed once, not per signature. */
const publicKeys = new WeakMap<JWK, Map<SigningAlgorithm, KeyObject>>();

/**
 * The JWS signature over `protected || '.' || body` (RFC 7797 §3: the payload unencoded),
 * checked synchronously with node:crypto. The key must suit `alg` as JWS wants it (RFC 7518
 * §3.4, RFC 8037 §3.1): an OKP Ed25519 key for EdDSA, an EC P-256 key for ES256 with the
 * 64-byte R||S signature; a JWK's own `use`, `alg` and `key_ops`, when present, must allow
 * verifying with `alg` (RFC 7517 §4.2–4.4). Throws when the key does not suit.
 */
function verifyUnencoded(protectedB64: string, body: Uint8Array, signatureB64: string, jwk: JWK, alg: SigningAlgorithm): boolean {
  if (!BASE64URL.test(signatureB64)) throw new TypeError('the JWS signature is not base64url');
  const key = publicKeyOf(jwk, alg);
  const input = Buffer.allocUnsafe(protectedB64.length + 1 + body.length);
  input.write(protectedB64, 0, 'latin1');
  input[protectedB64.length] = 0x2e; // '.'
  input.set(body, protectedB64.length + 1);
  const signature = Buffer.from(signatureB64, 'base64url');
  return alg === 'EdDSA' ? verifySignature(null, input, key, signature) : verifySignature('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, signature);
}

function publicKeyOf(jwk: JWK, alg: SigningAlgorithm): KeyObject {
  let byAlg = publicKeys.get(jwk);
  const cached = byAlg?.get(alg);
  if (cached) return cached;
  if (jwk.use !== undefined && jwk.use !== 'sig') throw new TypeError(`the key's "use" is ${JSON.stringify(jwk.use)}, not "sig"`);
  if (jwk.alg !== undefined && jwk.alg !== alg) throw new TypeError(`the key's "alg" is ${JSON.stringify(jwk.alg)}, not ${alg}`);
  if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes('verify')) throw new TypeError('the key\'s "key_ops" do not include "verify"');
  if (typeof jwk.d === 'string') throw new TypeError('a private JWK is not a verification key');
  const suits = alg === 'EdDSA' ? jwk.kty === 'OKP' && jwk.crv === 'Ed25519' : jwk.kty === 'EC' && jwk.crv === 'P-256';
  if (!suits) throw new TypeError(`a ${String(jwk.kty)} ${String(jwk.crv)} key cannot verify ${alg}`);
  const key = createPublicKey({ key: (alg === 'EdDSA' ? { kty: 'OKP', crv: 'Ed25519', x: jwk.x } : { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }) as import('node:crypto').JsonWebKey, format: 'jwk' });
  if (byAlg === undefined) publicKeys.set(jwk, (byAlg = new Map()));
  byAlg.set(alg, key);
  return key;
}

/**
 * Checks that a verified header is bound to `request`: `htm`, `htu` and `tenant` present and
 * equal. A signature without them, or made for another method, path or tenant, is refused,
 * so a captured signed write cannot be replayed against another resource or tenant.
 */
export function checkRequestBinding(header: DetachedHeader, request: RequestBinding): void {
  const wrong = (['htm', 'htu', 'tenant'] as const).filter((m) => header[m] !== request[m]);
  if (wrong.length === 0) return;
  const missing = wrong.filter((m) => header[m] === undefined);
  const detail = wrong.map((m) => `${m} ${JSON.stringify(header[m] ?? null)} (this request: ${JSON.stringify(request[m])})`).join(', ');
  throw new IesError('IES_ERR_SIGNATURE_UNBOUND', missing.length > 0
    ? `the JWS protected header must bind the write to its request with htm, htu and tenant; missing ${missing.join(', ')}: ${detail}`
    : `the signature was made for another request: ${detail}`, { details: { expected: request } });
}
