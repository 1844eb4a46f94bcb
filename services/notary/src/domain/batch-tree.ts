import { hash } from 'node:crypto';
import { createRequire } from 'node:module';
import { RFC6962_SHA256, buildTree, inclusionProofFromTree, type MerkleTree } from '@ies/merkle';
import { canonicalReadJson, type PublicRead } from '@ies/verify';

/**
 * SHA-256(0x00 ‖ canonical read bytes), hashed straight from the string: U+0000 encodes as
 * the single byte 0x00 in UTF-8, so '\u0000' + JSON is exactly the RFC 6962 leaf input.
 */
export function readLeafHash(read: PublicRead): Uint8Array {
  return hash('sha256', `\u0000${canonicalReadJson(read)}`, 'buffer') as unknown as Uint8Array;
}

export function readLeafHashes(reads: readonly PublicRead[]): Uint8Array[] {
  return reads.map((r) => readLeafHash(r));
}

interface NativeTreeHash {
  /** The root over `count` canonical reads separated by line feeds (native/src/lib.rs). */
  batchRoot(reads: Buffer, count: number): Buffer;
}

/** The native module `npm run build` makes (build-native.mjs), if it was built. */
function loadNative(): NativeTreeHash | undefined {
  try {
    return createRequire(import.meta.url)('../../native/ies_treehash.node') as NativeTreeHash;
  } catch {
    return undefined;
  }
}
const native = loadNative();

/**
 * What computes batch roots in this process: `native` (one call per batch into our Rust
 * module, `sha2` with the CPU's SHA extensions) or `node:crypto` (two hash() calls per read)
 * when the module was not built. Both give the same roots (batch-tree.test.ts).
 */
export const BATCH_ROOT_IMPLEMENTATION: 'native' | 'node:crypto' = native ? 'native' : 'node:crypto';

/** The batch root: the RFC 6962 root over a leaf per accepted read, in the batch's order. */
export function batchRoot(reads: readonly PublicRead[]): Uint8Array {
  return rootOf(reads.length, (i) => canonicalReadJson(reads[i] as PublicRead));
}

/** The batch root of a batch record's reads, which carry no DISCOM (the batch does). */
export function batchRootOf(discomId: string, reads: readonly Omit<PublicRead, 'discomId'>[]): Uint8Array {
  return rootOf(reads.length, (i) => canonicalReadJson(reads[i] as Omit<PublicRead, 'discomId'>, discomId));
}

/** The same root on node:crypto whatever is built: the reference the native module is tested against. */
export function batchRootOfOnNodeCrypto(discomId: string, reads: readonly Omit<PublicRead, 'discomId'>[]): Uint8Array {
  return rootOfLeafInputs(reads.length, (i) => `\u0000${canonicalReadJson(reads[i] as Omit<PublicRead, 'discomId'>, discomId)}`);
}

/**
 * The batch root over `count` canonical reads already written as UTF-8, one after another with
 * a line feed between them (none after the last): the bytes `batchRootOf` writes for the
 * native module, for a caller that wrote them itself (the gateway's compact-CSV encoder).
 * The same root as `batchRootOf` over the same reads, native or not.
 */
export function batchRootOfCanonicalLines(lines: Uint8Array, count: number): Uint8Array {
  if (count === 0) return RFC6962_SHA256.emptyRoot();
  if (native !== undefined) {
    const root = native.batchRoot(Buffer.from(lines.buffer, lines.byteOffset, lines.byteLength), count);
    return new Uint8Array(root.buffer, root.byteOffset, root.length);
  }
  const text = Buffer.from(lines.buffer, lines.byteOffset, lines.byteLength).toString('utf8').split('\n');
  if (text.length !== count) throw new RangeError(`${text.length} lines for ${count} reads`);
  return rootOfLeafInputs(count, (i) => `\u0000${text[i] as string}`);
}

/** The reads of one batch as the native module takes them, reused from batch to batch (grown when a batch needs more). */
let joined = Buffer.allocUnsafe(1 << 20);

function rootOf(count: number, canonical: (i: number) => string): Uint8Array {
  if (native === undefined) return rootOfLeafInputs(count, (i) => `\u0000${canonical(i)}`);
  // Each read's canonical UTF-8, then a line feed: a canonical read holds no raw line feed
  // (RFC 8785 escapes one in a string), so it separates them. Written in place, one call per
  // read: no joined string to build and encode again.
  let end = 0;
  for (let i = 0; i < count; i += 1) {
    const json = canonical(i);
    if (end + 3 * json.length + 1 > joined.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * joined.length, end + 3 * json.length + 1));
      joined.copy(grown, 0, 0, end);
      joined = grown;
    }
    end += joined.write(json, end, 'utf8');
    if (i + 1 < count) joined[end++] = 0x0a;
  }
  const root = native.batchRoot(joined.subarray(0, end), count);
  return new Uint8Array(root.buffer, root.byteOffset, root.length);
}

/**
 * MTH over `count` leaves (RFC 6962: leaf = SHA-256(leaf input), node = SHA-256(0x01 ‖ l ‖ r)),
 * the compact-range fold of @ies/merkle's rootFromLeafHashes. Only the root is kept, so the
 * hashes between calls travel as 32-character latin1 strings rather than Buffers: a Buffer
 * per hash costs an ArrayBuffer and its garbage collection, about as much as the hash call
 * itself (bench:batch-hash, docs/notary-formats.md). The gateway runs this once per batch.
 */
function rootOfLeafInputs(count: number, leafInput: (i: number) => string): Uint8Array {
  if (count === 0) return RFC6962_SHA256.emptyRoot();
  const scratch = Buffer.allocUnsafe(65);
  scratch[0] = 0x01;
  const node = (left: string, right: string): string => {
    scratch.write(left, 1, 32, 'latin1');
    scratch.write(right, 33, 32, 'latin1');
    return hash('sha256', scratch, 'binary');
  };
  const stack: string[] = [];
  for (let i = 0; i < count; i += 1) {
    let h = hash('sha256', leafInput(i), 'binary'); // 'binary' is latin1
    for (let merged = i + 1; merged % 2 === 0; merged /= 2) h = node(stack.pop() as string, h);
    stack.push(h);
  }
  let root = stack.pop() as string;
  while (stack.length > 0) root = node(stack.pop() as string, root);
  return new Uint8Array(Buffer.from(root, 'latin1'));
}

/** The whole batch tree, for serving the paths of its reads. */
export function batchTree(reads: readonly PublicRead[]): MerkleTree {
  return buildTree(RFC6962_SHA256, readLeafHashes(reads));
}

/** A read's path in its batch tree. */
export function readPath(tree: MerkleTree, index: number): Uint8Array[] {
  return inclusionProofFromTree(RFC6962_SHA256, tree, index);
}

/** A carried batch root is well formed: standard base64 (with padding) of 32 bytes. */
export function isBatchRootText(text: string): boolean {
  return /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/.test(text);
}
