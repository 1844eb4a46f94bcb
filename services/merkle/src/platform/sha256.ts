import { hash } from 'node:crypto';

/**
 * SHA-256 of one contiguous buffer, in Node: one-shot crypto.hash straight to bytes (no Hash
 * object, no string round trip; bench-merkle prints the figures). The browser build of this
 * package resolves `#sha256` to sha256.browser.ts instead (package.json "imports").
 */
export function sha256(bytes: Uint8Array): Uint8Array {
  return hash('sha256', bytes, 'buffer') as unknown as Uint8Array;
}
