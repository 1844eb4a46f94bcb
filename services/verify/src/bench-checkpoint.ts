// What ML-DSA-44 costs per checkpoint beside Ed25519 (issue 14): signing and verifying one
// checkpoint note with the Ed25519 line only vs with both lines, and the note's size. Prints
// medians and ratios measured in the same run; asserts nothing.
// Run: npm run bench:checkpoint
import { createHash, generateKeyPairSync } from 'node:crypto';
import os from 'node:os';
import { formatCheckpoint } from './checkpoint.js';
import { formatMlDsaKey, mlDsaCheckpointLine, mlDsaSignerFromSeed, parseMlDsaKey } from './mldsa.js';
import { formatVerifierKey, noteSigner, signNote } from './note.js';
import { trustFromVerifierKeys, verifyCheckpoint } from './verify.js';

const ROUNDS = 7;
const OPS = 50;

function measure(run: (i: number) => unknown): number {
  for (let i = 0; i < 5; i++) run(i); // warm-up
  const samples: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < OPS; i++) run(i);
    samples.push(Number(process.hrtime.bigint() - start) / 1000 / OPS);
  }
  return samples.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!;
}

const origin = 'bench.ies.local/logs/BENCH-DL';
const ed = noteSigner(origin, generateKeyPairSync('ed25519').privateKey);
const pq = mlDsaSignerFromSeed(origin, createHash('sha256').update('bench').digest());
const body = (i: number) => formatCheckpoint({ origin, size: 1_000_000 + i, rootHash: createHash('sha256').update(String(i)).digest(), extensions: [] });
const bodies = Array.from({ length: OPS + 5 }, (_, i) => body(i));
const edNotes = bodies.map((b) => signNote(b, ed));
const bothNotes = bodies.map((b, i) => `${edNotes[i]}${mlDsaCheckpointLine(b, pq, 1_790_000_000)}`);
const base = await trustFromVerifierKeys([formatVerifierKey(ed)], origin);
const trust = (logSignatures: 'ed25519' | 'both') => ({ ...base, mlDsaKeys: [parseMlDsaKey(formatMlDsaKey(pq))], logSignatures });

const signEd = measure((i) => signNote(bodies[i]!, ed));
const signBoth = measure((i) => `${signNote(bodies[i]!, ed)}${mlDsaCheckpointLine(bodies[i]!, pq, 1_790_000_000)}`);
const verifyEd = measure((i) => verifyCheckpoint(edNotes[i]!, trust('ed25519')));
const verifyBoth = measure((i) => verifyCheckpoint(bothNotes[i]!, trust('both')));
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(`checkpoint signatures, ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; medians of ${ROUNDS} rounds × ${OPS}`);
const line = (what: string, edUs: number, bothUs: number) => console.log(`  ${what.padEnd(34)} Ed25519 ${edUs.toFixed(0).padStart(6)} µs   + ML-DSA-44 ${bothUs.toFixed(0).padStart(6)} µs   ratio ${(bothUs / edUs).toFixed(1)}×`);
line('sign one checkpoint', signEd, signBoth);
line('verify one checkpoint', verifyEd, verifyBoth);
console.log(`  note size                          Ed25519 ${String(Buffer.byteLength(edNotes[0]!)).padStart(6)} B    + ML-DSA-44 ${String(Buffer.byteLength(bothNotes[0]!)).padStart(6)} B    ratio ${(Buffer.byteLength(bothNotes[0]!) / Buffer.byteLength(edNotes[0]!)).toFixed(1)}×`);
console.log(`  at the notary's ceiling of one checkpoint per second per tenant, ML-DSA-44 signing takes ${(signBoth / 10_000).toFixed(2)} % of one core per tenant; every receipt embeds the note (+${Buffer.byteLength(bothNotes[0]!) - Buffer.byteLength(edNotes[0]!)} B)`);
