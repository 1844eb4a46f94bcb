import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

/**
 * SHA-256 in a browser (the console's in-browser verifier): @noble/hashes, audited and
 * synchronous, because the Merkle code hashes synchronously and WebCrypto's digest is async.
 */
export function sha256(bytes: Uint8Array): Uint8Array {
  return nobleSha256(bytes);
}
