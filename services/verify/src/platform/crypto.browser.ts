import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/**
 * The browser side of `#crypto` (see crypto.ts): verification only, with @noble/hashes and
 * @noble/curves (audited, synchronous like node:crypto's one-shot calls). Signing is the
 * notary's and the witness's business and stays in Node: those functions refuse here.
 */
export interface Ed25519PrivateKey {
  readonly asymmetricKeyType?: string;
}

export function sha256(...parts: readonly (Uint8Array | string)[]): Uint8Array {
  const h = nobleSha256.create();
  for (const p of parts) h.update(typeof p === 'string' ? utf8ToBytes(p) : p);
  return h.digest();
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return bytesToHex(sha256(bytes));
}

export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    // zip215: false is RFC 8032's strict verification, as node:crypto (OpenSSL) does it.
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

function signingRefused(): never {
  throw new Error('signing is not available in the browser build of @ies/verify (it verifies only)');
}

export function ed25519Sign(_privateKey: Ed25519PrivateKey, _message: Uint8Array): Uint8Array {
  return signingRefused();
}

export function ed25519PublicKeyOf(_privateKey: Ed25519PrivateKey): Uint8Array | undefined {
  return signingRefused();
}

export function ed25519KeyType(_privateKey: Ed25519PrivateKey): string {
  return signingRefused();
}

export function ed25519PrivateKeyFromSeed(_seed: Uint8Array): Ed25519PrivateKey {
  return signingRefused();
}
