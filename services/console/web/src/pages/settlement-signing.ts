/**
 * Signed actions in the browser: the desk loads its private JWK file (the same file
 * `ies statements transition --key` reads) and the request is signed here with WebCrypto;
 * the key is imported non-extractable and never leaves this tab (not stored, not sent).
 * The signature is the API's detached JWS (RFC 7797, `b64:false`, docs/security.md): the
 * protected header binds method, path, tenant, iat and a fresh jti; compact form `header..sig`.
 */
export interface DeskKey {
  readonly kid: string;
  readonly alg: 'EdDSA' | 'ES256';
  readonly key: CryptoKey;
}

const b64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const utf8 = (s: string) => new TextEncoder().encode(s);

/** RFC 7638 thumbprint of the public part: the kid when the file names none (as `ies` computes it). */
async function thumbprint(jwk: JsonWebKey): Promise<string> {
  const members = jwk.kty === 'OKP' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(JSON.stringify(members)))));
}

export async function importDeskKey(text: string): Promise<DeskKey> {
  let jwk: JsonWebKey & { kid?: string };
  try {
    jwk = JSON.parse(text) as JsonWebKey & { kid?: string };
  } catch {
    throw new Error('the key file is not JSON (a private JWK: {"kty":"OKP","crv":"Ed25519","x":…,"d":…})');
  }
  if (typeof jwk.d !== 'string') throw new Error('the key file holds no private key ("d")');
  const kid = jwk.kid ?? (await thumbprint(jwk));
  const { kid: _k, alg: _a, use: _u, key_ops: _o, ...material } = jwk as JsonWebKey & { kid?: string };
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return { kid, alg: 'EdDSA', key: await crypto.subtle.importKey('jwk', material, { name: 'Ed25519' }, false, ['sign']) };
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return { kid, alg: 'ES256', key: await crypto.subtle.importKey('jwk', material, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']) };
  throw new Error(`unsupported key ${jwk.kty}/${jwk.crv ?? '?'}: the API signs with Ed25519 or P-256`);
}

/** The detached JWS of a POST of `body` to `path` by the desk of `tenant`. */
export async function signRequest(key: DeskKey, path: string, tenant: string, body: Uint8Array): Promise<string> {
  const header = { alg: key.alg, kid: key.kid, b64: false, crit: ['b64'], iat: Math.floor(Date.now() / 1000), jti: `console-${crypto.randomUUID()}`, htm: 'POST', htu: path, tenant };
  const encoded = b64url(utf8(JSON.stringify(header)));
  const input = new Uint8Array([...utf8(`${encoded}.`), ...body]);
  const algorithm = key.alg === 'EdDSA' ? { name: 'Ed25519' } : { name: 'ECDSA', hash: 'SHA-256' };
  const signature = new Uint8Array(await crypto.subtle.sign(algorithm, key.key, input));
  return `${encoded}..${b64url(signature)}`;
}
