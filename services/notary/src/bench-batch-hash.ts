// Batch-root hashing benchmark: node:crypto's one-shot hash() against hash-wasm (WebAssembly)
// and @noble/hashes (pure JS), per call on the inputs a batch tree hashes (a leaf: 0x00 and a
// read's ~150 canonical bytes; a node: 65 bytes) and for whole batch roots. Prints medians and
// ratios; asserts nothing on time. Run: npm run bench:batch-hash
import { hash } from 'node:crypto';
import os from 'node:os';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { createSHA256 } from 'hash-wasm';
import { RFC6962_SHA256, rootFromLeafHashes, type Hasher } from '@ies/merkle';
import { canonicalReadJson, type PublicRead } from '@ies/verify';
import { BATCH_ROOT_IMPLEMENTATION, batchRootOf, batchRootOfOnNodeCrypto } from './domain/batch-tree.js';

type BatchRead = Omit<PublicRead, 'discomId'>;

/** The batch root with hash-wasm's SHA-256: one reused hasher, leaves from strings, nodes from a 65-byte buffer. */
async function wasmBatchRoot(): Promise<(discomId: string, reads: readonly BatchRead[]) => Uint8Array> {
  const sha = await createSHA256();
  const node = new Uint8Array(65);
  node[0] = 0x01;
  sha.init();
  const empty = sha.digest('binary');
  const hasher: Hasher = {
    size: 32,
    emptyRoot: () => Uint8Array.from(empty),
    hashLeaf: (data) => { sha.init(); sha.update(new Uint8Array([0])); sha.update(data); return sha.digest('binary'); },
    hashChildren: (left, right) => { node.set(left, 1); node.set(right, 33); sha.init(); sha.update(node); return sha.digest('binary'); },
  };
  return (discomId, reads) => rootFromLeafHashes(hasher, reads.map((r) => { sha.init(); sha.update(`\u0000${canonicalReadJson(r, discomId)}`); return sha.digest('binary'); }));
}

const ROUNDS = 15;

/**
 * The fastest of ROUNDS rounds, in µs per operation, for each candidate; `run` does `ops`
 * operations. Candidates take turns round by round, so other work on a shared machine slows
 * them alike, and the minimum is what the code costs when nothing interferes.
 */
function measureAll(ops: number, runs: readonly (() => unknown)[]): number[] {
  for (const run of runs) run();
  const best = runs.map(() => Number.POSITIVE_INFINITY);
  for (let r = 0; r < ROUNDS; r++) {
    runs.forEach((run, k) => {
      const start = process.hrtime.bigint();
      run();
      best[k] = Math.min(best[k]!, Number(process.hrtime.bigint() - start) / 1000 / ops);
    });
  }
  return best;
}

const row = (what: string, us: number, base?: number) => console.log(`  ${what.padEnd(70)} ${us.toFixed(3).padStart(9)} µs${base === undefined ? '' : `   ×${(base / us).toFixed(2)} vs node:crypto`}`);

const block = Date.UTC(2026, 10, 19, 18, 30);
const readsOf = (n: number): BatchRead[] => Array.from({ length: n }, (_, i) => ({ meterId: `BENCH-MTR-${String(i).padStart(6, '0')}`, blockStart: block - Math.floor(i / 200) * 900_000, channel: i % 2 ? 'EXPORT' : 'IMPORT', wh: (i * 37) % 901, validationStatus: 'VALID', source: 'HES' }));

console.log(`batch-root hashing — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`fastest of ${ROUNDS} interleaved rounds; µs per operation\n`);

const wasm = await createSHA256();
const N = 20_000;
const leafStrings = readsOf(N).map((r) => `\u0000${canonicalReadJson(r, 'BRPL-DL')}`);
const leafBytes = leafStrings.map((s) => Buffer.from(s));
const loop = (f: (i: number) => unknown) => () => { for (let i = 0; i < N; i++) f(i); };

console.log(`one leaf hash, SHA-256(0x00 ‖ canonical read), ${leafBytes[0]!.length} bytes:`);
{
  const [leafNode, a, b, c] = measureAll(N, [loop((i) => hash('sha256', leafStrings[i]!, 'buffer')), loop((i) => { wasm.init(); wasm.update(leafStrings[i]!); return wasm.digest('binary'); }), loop((i) => { wasm.init(); wasm.update(leafBytes[i]!); return wasm.digest('binary'); }), loop((i) => nobleSha256(leafBytes[i]!))]) as [number, number, number, number];
  row("node:crypto hash(string, 'buffer')", leafNode);
  row('hash-wasm, one reused hasher: init/update(string)/digest', a, leafNode);
  row('hash-wasm, one reused hasher: update(bytes)', b, leafNode);
  row('@noble/hashes sha256(bytes)', c, leafNode);
}

console.log('\none node hash, SHA-256(0x01 ‖ left ‖ right), 65 bytes in a reused buffer:');
const scratch = new Uint8Array(65);
{
  const [nodeNode, a, b] = measureAll(N, [loop(() => hash('sha256', scratch, 'buffer')), loop(() => { wasm.init(); wasm.update(scratch); return wasm.digest('binary'); }), loop(() => nobleSha256(scratch))]) as [number, number, number];
  row("node:crypto hash(bytes, 'buffer')", nodeNode);
  row('hash-wasm, one reused hasher', a, nodeNode);
  row('@noble/hashes sha256(bytes)', b, nodeNode);
}

const fast = await wasmBatchRoot();
/** The batch root as it was: a Buffer per leaf hash and per node hash (RFC6962_SHA256). */
const bufferRoot = (discomId: string, reads: readonly BatchRead[]) => rootFromLeafHashes(RFC6962_SHA256, reads.map((r) => hash('sha256', `\u0000${canonicalReadJson(r, discomId)}`, 'buffer') as unknown as Uint8Array));
for (const n of [1_000, 50_000]) {
  const reads = readsOf(n);
  const want = Buffer.from(batchRootOfOnNodeCrypto('BRPL-DL', reads));
  for (const got of [fast('BRPL-DL', reads), bufferRoot('BRPL-DL', reads), batchRootOf('BRPL-DL', reads)]) if (Buffer.compare(Buffer.from(got), want) !== 0) throw new Error(`the batch roots of ${n} reads differ`);
  console.log(`\nbatch root of ${n.toLocaleString('en-US')} reads (canonical JSON + ${2 * n - 1} hashes), per read:`);
  const [base, wasmRoot, latin1, built] = measureAll(n, [() => bufferRoot('BRPL-DL', reads), () => fast('BRPL-DL', reads), () => batchRootOfOnNodeCrypto('BRPL-DL', reads), () => batchRootOf('BRPL-DL', reads)]) as [number, number, number, number];
  row('node:crypto, Buffer leaf hashes (@ies/merkle rootFromLeafHashes)', base);
  row('hash-wasm, one reused hasher', wasmRoot, base);
  row('node:crypto, latin1 strings between calls (batchRootOfOnNodeCrypto)', latin1, base);
  row(`batchRootOf, what runs: ${BATCH_ROOT_IMPLEMENTATION === 'native' ? 'the native module, one call per batch' : 'node:crypto (the native module is not built)'}`, built, base);
}
