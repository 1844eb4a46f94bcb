import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * The few cryptographic primitives the verifiers need, in Node (node:crypto). The browser
 * build of this package resolves `#crypto` to crypto.browser.ts instead (package.json
 * "imports", condition "browser"): same functions, same results, so the verifier logic is
 * one code base for `ies verify` and the console.
 */
export type Ed25519PrivateKey = KeyObject;

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** SHA-256 of the parts' concatenation (strings as UTF-8). */
export function sha256(...parts: readonly (Uint8Array | string)[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Whether `signature` is a valid Ed25519 signature by the raw 32-byte `publicKey` over `message`. */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' });
  return verify(null, message, key, signature);
}

export function ed25519Sign(privateKey: Ed25519PrivateKey, message: Uint8Array): Uint8Array {
  return sign(null, message, privateKey);
}

/** The raw 32-byte public key of an Ed25519 private key, or undefined when the key is not Ed25519. */
export function ed25519PublicKeyOf(privateKey: Ed25519PrivateKey): Uint8Array | undefined {
  if (privateKey.asymmetricKeyType !== 'ed25519') return undefined;
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url'));
}

export function ed25519KeyType(privateKey: Ed25519PrivateKey): string {
  return privateKey.asymmetricKeyType ?? 'a symmetric key';
}

/** The Ed25519 private key of a 32-byte seed. */
export function ed25519PrivateKeyFromSeed(seed: Uint8Array): Ed25519PrivateKey {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}
