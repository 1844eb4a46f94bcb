// Merkle hot-path benchmark: this package vs merkletreejs configured to RFC 6962, on trees of
// 1,000 and 50,000 64-byte leaves (a batch of reads is at most 50,000). Prints medians; makes
// no assertions on time. Run: npm run build && node services/merkle/dist/src/bench-merkle.js
import { createHash, hash, randomBytes } from 'node:crypto';
import os from 'node:os';
import { MerkleTree } from 'merkletreejs';
import { RFC6962_SHA256 as H } from './domain/hasher.js';
import { inclusionProof, inclusionProofFromTree } from './domain/proof.js';
import { buildTree, rootFromLeafHashes } from './domain/tree.js';
import { verifyInclusion } from './domain/verify.js';

const ROUNDS = 7;
const SIZES = [1_000, 50_000];

/** Median over ROUNDS of µs per operation; `run` does `ops` operations. */
function measure(ops: number, run: () => unknown, rounds = ROUNDS): number {
  run(); // warm-up
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    run();
    samples.push(Number(process.hrtime.bigint() - start) / 1000 / ops);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

const fmt = (us: number) => (us >= 100 ? us.toFixed(0) : us >= 1 ? us.toFixed(2) : us.toFixed(3)).padStart(10);
const row = (what: string, us: number, note = '') => console.log(`  ${what.padEnd(64)} ${fmt(us)} µs${note ? `  ${note}` : ''}`);

const nodeSha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();
const rfcConcat = (parts: Buffer[]) => Buffer.concat([Buffer.from([0x01]), ...parts]);
const jsTree = (leafHashes: readonly Uint8Array[], hashFn?: (data: Buffer) => Buffer) =>
  hashFn === undefined
    ? new MerkleTree(leafHashes as Buffer[], undefined, { concatenator: rfcConcat })
    : new MerkleTree(leafHashes as Buffer[], hashFn, { concatenator: rfcConcat });

console.log(`Merkle benchmark — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
console.log(`median of ${ROUNDS} rounds; µs per operation\n`);

console.log('one node hash, SHA-256(0x01 ‖ left ‖ right):');
{
  const [a, b] = [randomBytes(32), randomBytes(32)];
  const one = Buffer.from([0x01]);
  const ops = 100_000;
  const loop = (f: () => unknown) => () => { for (let i = 0; i < ops; i++) f(); };
  const scratch = Buffer.concat([one, a, b]);
  row("this package: crypto.hash(…, 'base64') over a reused buffer", measure(ops, loop(() => H.hashChildren(a, b))));
  row("crypto.hash(…, 'buffer') over a reused buffer", measure(ops, loop(() => { scratch.set(a, 1); scratch.set(b, 33); return hash('sha256', scratch, 'buffer'); })));
  row('createHash() over a reused buffer', measure(ops, loop(() => { scratch.set(a, 1); scratch.set(b, 33); return createHash('sha256').update(scratch).digest(); })));
  row('createHash().update(0x01).update(l).update(r) — the usual code', measure(ops, loop(() => createHash('sha256').update(one).update(a).update(b).digest())));
}

for (const size of SIZES) {
  const data = Array.from({ length: size }, () => randomBytes(64));
  const leafHashes = data.map((d) => H.hashLeaf(d));
  const tree = buildTree(H, leafHashes);
  const theirs = jsTree(leafHashes, nodeSha256);
  const agree = theirs.getRoot().equals(Buffer.from(tree.root)) && Buffer.from(rootFromLeafHashes(H, leafHashes)).equals(Buffer.from(tree.root));
  const sample = Array.from({ length: Math.min(size, 5_000) }, (_, k) => Math.floor((k * size) / Math.min(size, 5_000)));
  const proofs = sample.map((i) => inclusionProofFromTree(H, tree, i));
  const jsProofs = sample.map((i) => theirs.getProof(leafHashes[i] as Buffer, i));
  const rootBuf = theirs.getRoot();

  console.log(`\n${size.toLocaleString('en')} leaves of 64 bytes (roots agree: ${agree ? 'yes' : 'NO'}):`);
  row('leaf hashes, SHA-256(0x00 ‖ data), whole tree', measure(1, () => data.map((d) => H.hashLeaf(d))), 'same for both: merkletreejs is given them');
  console.log('  per tree, from the leaf hashes:');
  row('(a) rootFromLeafHashes — root only, O(log n) memory', measure(1, () => rootFromLeafHashes(H, leafHashes)));
  row('(a) buildTree — every node kept, for serving proofs', measure(1, () => buildTree(H, leafHashes)));
  row('(b) merkletreejs new MerkleTree (node:crypto SHA-256)', measure(1, () => jsTree(leafHashes, nodeSha256)));
  row('(b) merkletreejs new MerkleTree (its default crypto-js SHA-256)', measure(1, () => jsTree(leafHashes), 3));
  console.log(`  per inclusion proof (${sample.length.toLocaleString('en')} leaves sampled across the tree):`);
  row('(a) inclusionProofFromTree — from the built tree', measure(sample.length, () => sample.map((i) => inclusionProofFromTree(H, tree, i))));
  row('(b) merkletreejs getProof(leaf, index)', measure(sample.length, () => sample.map((i) => theirs.getProof(leafHashes[i] as Buffer, i))));
  row('(a) inclusionProof — one-off, no tree kept (hashes ~n)', measure(20, () => { for (let k = 0; k < 20; k++) inclusionProof(H, leafHashes, sample[k]!); }, 3));
  console.log('  per verification:');
  row('(a) verifyInclusion', measure(sample.length, () => sample.map((i, k) => verifyInclusion(H, i, size, leafHashes[i]!, proofs[k]!, tree.root))));
  row('(b) merkletreejs verify (no index or size checked)', measure(sample.length, () => sample.map((i, k) => theirs.verify(jsProofs[k]!, leafHashes[i] as Buffer, rootBuf))));
}
