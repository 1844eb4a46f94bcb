// Settlement-domain throughput, pure and in memory: 1,000,000 meters × 96 blocks (import and
// export channels as Int32Arrays, 768 MB), 100,000 P2P trades among them across 4 DISCOMs.
// Timed: every DISCOM allocates its seller and buyer sides from its own meters, the sides
// meet (combineSides), and each DISCOM builds its day statement (lines, positions, zero-sum
// check, RFC 8785 JSON, SHA-256). Generation is timed apart. Makes no assertions on time.
// Run: npm run build && node services/settlement/dist/src/bench-settlement-domain.js [meters] [trades]
import os from 'node:os';
import { allocateSide, type ReadSource, type SideAllocation } from './domain/allocation.js';
import { combineSides } from './domain/final-allocation.js';
import type { PolicyPack } from './domain/policy-pack.js';
import { buildStatement } from './domain/statement.js';
import { BLOCKS_PER_DAY } from '@ies/units';
import { BENCH_DAY, BENCH_DAY_START, BENCH_DISCOMS, benchRandom, benchTrades } from './bench-fixture.js';

const METERS = Number(process.argv[2] ?? 1_000_000);
const TRADES = Number(process.argv[3] ?? 100_000);
const DISCOMS = BENCH_DISCOMS;
const DAY = BENCH_DAY;
const DAY_START = BENCH_DAY_START;
const rand = benchRandom();

const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;
const meterId = (i: number) => `M${i.toString().padStart(7, '0')}`;

console.log(`Settlement domain benchmark — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
console.log(`${METERS.toLocaleString('en')} meters × ${BLOCKS_PER_DAY} blocks, ${TRADES.toLocaleString('en')} trades, ${DISCOMS.length} DISCOMs\n`);

let t = process.hrtime.bigint();
const imports = new Int32Array(METERS * BLOCKS_PER_DAY);
const exports = new Int32Array(METERS * BLOCKS_PER_DAY);
for (let m = 0; m < METERS; m++) {
  const base = m * BLOCKS_PER_DAY;
  const prosumer = m % 5 === 0;
  for (let b = 0; b < BLOCKS_PER_DAY; b++) {
    imports[base + b] = rand(700);
    // Prosumers export 06:30–18:00 IST (blocks 26…71).
    if (prosumer && b >= 26 && b < 72) exports[base + b] = rand(1400);
  }
}
const trades = benchTrades(METERS, TRADES, rand, meterId);
const readsOf = (discomId: string): ReadSource => {
  const evidence = [{ origin: `notary.${discomId}`, size: 1_000_000, rootHash: 'bench' }];
  return (id, channel) => {
    const m = Number(id.slice(1));
    const base = m * BLOCKS_PER_DAY;
    return { startMs: DAY_START, wh: (channel === 'IMPORT' ? imports : exports).subarray(base, base + BLOCKS_PER_DAY), evidence };
  };
};
console.log(`generate reads and trades      ${seconds(t).toFixed(2).padStart(7)} s  (not part of the settlement figure)`);

const total = process.hrtime.bigint();
t = process.hrtime.bigint();
const sellerSides = new Map<string, SideAllocation>();
const buyerSides = new Map<string, SideAllocation>();
for (const d of DISCOMS) {
  const reads = readsOf(d);
  for (const a of allocateSide({ discomId: d, side: 'SELLER', trades, reads })) sellerSides.set(a.tradeId, a);
  for (const a of allocateSide({ discomId: d, side: 'BUYER', trades, reads })) buyerSides.set(a.tradeId, a);
}
const allocateS = seconds(t);
console.log(`allocate both sides            ${allocateS.toFixed(2).padStart(7)} s  (${(sellerSides.size + buyerSides.size).toLocaleString('en')} side allocations)`);

t = process.hrtime.bigint();
const finals = trades.map((r) => combineSides(r.trade, sellerSides.get(r.trade.tradeId)!, buyerSides.get(r.trade.tradeId)!));
const combineS = seconds(t);
const settledWh = finals.reduce((s, f) => s + f.intervals.reduce((x, i) => x + i.finalWh, 0), 0);
console.log(`combine sides (min-of-two)     ${combineS.toFixed(2).padStart(7)} s  (${(settledWh / 1e6).toFixed(1)} MWh settled)`);

t = process.hrtime.bigint();
let lines = 0;
let bytes = 0;
for (const d of DISCOMS) {
  const policy: PolicyPack = {
    policyId: `${d}.bench`, discomId: d, version: 1, effectiveFrom: '2026-01-01',
    p2p: { wheeling: { buyerPaisePerKwh: 35, sellerPaisePerKwh: 15 }, transactionCharge: { buyerPaisePerKwh: 21, sellerPaisePerKwh: 21 }, sellerShortfall: { treatment: 'FIXED_RATE', ratePaisePerKwh: 800 }, buyerShortfall: { treatment: 'WAIVED' } },
  };
  const s = buildStatement({ discomId: d, scope: { kind: 'DAY', day: DAY }, trades, finals }, policy);
  lines += s.content.lines.length;
  bytes += s.bytes.length;
}
const statementS = seconds(t);
console.log(`build ${DISCOMS.length} statements (JSON+hash)  ${statementS.toFixed(2).padStart(7)} s  (${lines.toLocaleString('en')} lines, ${(bytes / 2 ** 20).toFixed(0)} MiB canonical JSON)`);
console.log(`\nsettlement total               ${seconds(total).toFixed(2).padStart(7)} s`);
