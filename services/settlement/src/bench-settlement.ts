// Settlement of one IST day through the service path, on the local stack:
// 1,000,000 meters' reads in ClickHouse (import for all, export for the 1 in 5 prosumers),
// 100,000 P2P trades across 4 DISCOMs.
//
// Set-up, NOT timed: a throw-away ClickHouse database with the loader's migrations, the day's
// reads generated inside ClickHouse (INSERT … SELECT FROM numbers), the trades generated in
// memory, the settlement key files created.
// Timed ("settlement total"): the latest version of every read of every DISCOM's traded
// meters from ClickHouse (loadSidesReads: the meter channels in a session's temporary table,
// joined in one packed RowBinary query, one pass over `reads`), both sides allocated (allocateSide,
// pro-rata), sides met (combineSides, min-of-two), then each DISCOM's day statement built
// (lines, positions, zero-sum, RFC 8785 JSON written and hashed in parts, SHA-256), signed
// (compact JWS, Ed25519 settlement key file) and serialised as CSV (in parts). Not timed: Redis, Kafka and ClickHouse
// writes of the statements (statements of this size are one write each).
// Bounded: meters ≤ 2,000,000, trades ≤ 500,000, and the run stops after IES_BENCH_DEADLINE_S
// (default 900 s). No assertions on time. The database is dropped afterwards (unless
// IES_BENCH_KEEP_DATABASE names one to keep and reuse).
// Records "settlement" seconds against the issue-19 target (≤ 30 s) with recordBenchFigure.
// Run: npm run bench:settlement [-- meters trades]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ed25519KeyFile } from '@ies/crypto';
import { createClickHouse, identifier, untilMergesSettle } from '@ies/clickhouse';
import { loadConfig } from '@ies/config';
import { migrateSettlementTables } from './migrate.js';
import { allocateSide, type ReadSource, type SideAllocation } from './domain/allocation.js';
import { combineSides } from './domain/final-allocation.js';
import type { PolicyPack } from './domain/policy-pack.js';
import { buildStatement } from './domain/statement.js';
import { renderCsvParts } from './domain/statement-csv.js';
import { recordBenchFigure } from '@ies/observability';
import { BENCH_DAY, BENCH_DAY_START, BENCH_DISCOMS, benchRandom, benchTrades } from './bench-fixture.js';
import { BLOCK_MS } from '@ies/units';
import { loadSidesReads, readFingerprints } from './side-reads.js';
import { signStatement } from './statement-signing.js';

const METERS = Math.min(2_000_000, Number(process.argv[2] ?? 1_000_000));
const TRADES = Math.min(500_000, Number(process.argv[3] ?? 100_000));
/** Issue 19: 1M meters + 100k trades settled in ≤ 30 s. */
const TARGET_S = 30;
const DEADLINE_MS = Number(process.env.IES_BENCH_DEADLINE_S ?? 900) * 1000;
const DISCOMS = BENCH_DISCOMS;
const DAY = BENCH_DAY;
const DAY_START = BENCH_DAY_START;
const started = Date.now();

const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;
const meterId = (i: number) => `M${1_000_000 + i}`;
const line = (label: string, s: number, note = '') => console.log(`${label.padEnd(42)} ${s.toFixed(2).padStart(8)} s  ${note}`);
function checkDeadline(phase: string): void {
  if (Date.now() - started > DEADLINE_MS) throw new Error(`bench stopped before ${phase}: over its ${DEADLINE_MS / 1000} s deadline (IES_BENCH_DEADLINE_S)`);
}

const rand = benchRandom();

// IES_BENCH_KEEP_DATABASE=<name> keeps the generated reads in that database for the next run,
// which then skips generating them (to time changes without paying the set-up again).
const KEEP = process.env.IES_BENCH_KEEP_DATABASE;
const database = KEEP === undefined ? `bench_settlement_${randomBytes(4).toString('hex')}` : identifier(KEEP);
const config = loadConfig({ ...process.env, IES_CLICKHOUSE_DATABASE: database });
const ch = createClickHouse(config, { database });
const keysDir = mkdtempSync(path.join(os.tmpdir(), 'ies-bench-keys-'));

console.log(`Settlement benchmark (service path) — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`);
console.log(`${METERS.toLocaleString('en')} meters × 96 blocks in ClickHouse ${config.clickhouse.url} (database ${database}, ${KEEP === undefined ? 'dropped afterwards' : 'kept'}), ${TRADES.toLocaleString('en')} trades, ${DISCOMS.length} DISCOMs\n`);

try {
  let t = process.hrtime.bigint();
  await migrateSettlementTables(config);
  const discomArray = `[${DISCOMS.map((d) => `'${d}'`).join(',')}]`;
  const dayStartSec = DAY_START / 1000;
  const cols = 'discom_id, meter_id, block_start, channel, wh, validation_status, source, batch_id, index_in_batch, head_end_id, received_at_ms';
  // Imports of every meter; exports of prosumers (every 5th meter) 06:30–18:00 IST (blocks 26…71).
  // Generated inside ClickHouse in chunks of 4M rows (each well within the client's timeout).
  const generate = async (rows: number, select: (n: string) => string) => {
    for (let offset = 0; offset < rows; offset += 4_000_000) {
      await ch.command({ query: `INSERT INTO reads (${cols}) ${select(`(number + ${offset})`)} FROM numbers(${Math.min(4_000_000, rows - offset)})` });
    }
  };
  const readRows = METERS * 96 + Math.ceil(METERS / 5) * 46;
  const stored = Number((await (await ch.query({ query: 'SELECT count() AS n FROM reads', format: 'JSONEachRow' })).json<{ n: string }>())[0]?.n ?? 0);
  if (stored !== readRows) {
    if (stored > 0) for (const table of ['reads', 'reads_by_batch', 'read_days']) await ch.command({ query: `TRUNCATE TABLE ${table}` });
    await generate(METERS * 96, (n) => `SELECT arrayElement(${discomArray}, (intDiv(${n}, 96) % 4) + 1), concat('M', toString(1000000 + intDiv(${n}, 96))), toDateTime(${dayStartSec} + (${n} % 96) * 900, 'UTC'), 'IMPORT', intHash32(${n}) % 700, 'VALID', 'bench', 'bench-1', toUInt32(${n} % 96), 'HE-BENCH', 1`);
    await generate(Math.ceil(METERS / 5) * 46, (n) => `SELECT arrayElement(${discomArray}, ((intDiv(${n}, 46) * 5) % 4) + 1), concat('M', toString(1000000 + intDiv(${n}, 46) * 5)), toDateTime(${dayStartSec} + (26 + ${n} % 46) * 900, 'UTC'), 'EXPORT', intHash32(${n} + 7) % 1400, 'VALID', 'bench', 'bench-1', toUInt32(${n} % 46), 'HE-BENCH', 1`);
  }
  const trades = benchTrades(METERS, TRADES, rand, meterId);
  for (const d of DISCOMS) await new Ed25519KeyFile(keysDir, d).current();
  // A bulk fill leaves parts that ClickHouse merges in the background for a while; a day's
  // reads are loaded through the day and merged by the time it settles, so the timing starts
  // once the merges have stopped (as bench:baseline's does).
  const merges = await untilMergesSettle(ch, database, 300_000);
  line('set-up (reads into ClickHouse, trades)', seconds(t), `(${readRows.toLocaleString('en')} read rows${stored === readRows ? ', kept from the last run' : ''}; background merges ${merges.settled ? 'settled' : 'still running'} after ${(merges.waitedMs / 1000).toFixed(1)} s; not part of the settlement figure)`);

  checkDeadline('settlement');
  const total = process.hrtime.bigint();
  const sellerSides = new Map<string, SideAllocation>();
  const buyerSides = new Map<string, SideAllocation>();
  let allocS = 0;
  const sides = DISCOMS.flatMap((d) => (['SELLER', 'BUYER'] as const).map((side) => ({
    discomId: d, side, channel: side === 'SELLER' ? 'EXPORT' as const : 'IMPORT' as const,
    meterIds: [...new Set(trades.map((r) => (side === 'SELLER' ? r.trade.seller : r.trade.buyer)).filter((p) => p.discomId === d).map((p) => p.meterId))],
  })));
  t = process.hrtime.bigint();
  const loadedSides = await loadSidesReads(ch, sides, DAY_START, DAY_START + 96 * BLOCK_MS);
  const readS = seconds(t);
  const seriesCount = loadedSides.reduce((n, m) => n + m.size, 0);
  checkDeadline('allocation');
  for (const [i, { discomId: d, side }] of sides.entries()) {
    const loaded = loadedSides[i]!;
    t = process.hrtime.bigint();
    const reads: ReadSource = (id) => {
      const s = loaded.get(id);
      return s === undefined ? undefined : { startMs: s.startMs, wh: s.wh, evidence: [] };
    };
    for (const a of allocateSide({ discomId: d, side, trades, reads })) (side === 'SELLER' ? sellerSides : buyerSides).set(a.tradeId, a);
    allocS += seconds(t);
  }
  line('read traded meters from ClickHouse', readS, `(${seriesCount.toLocaleString('en')} meter channels × 96 blocks, latest version per read)`);
  // Not part of the settlement figure: what the reconciler's periodic sweep pays when nothing
  // changed since its last pass (it compares per-day read fingerprints and loads nothing).
  t = process.hrtime.bigint();
  let fingerprinted = 0;
  for (const d of DISCOMS) {
    for (const side of ['SELLER', 'BUYER'] as const) {
      const meters = [...new Set(trades.map((r) => (side === 'SELLER' ? r.trade.seller : r.trade.buyer)).filter((p) => p.discomId === d).map((p) => p.meterId))];
      fingerprinted += (await readFingerprints(ch, d, side === 'SELLER' ? 'EXPORT' : 'IMPORT', meters, DAY_START, DAY_START + 96 * BLOCK_MS)).size;
    }
  }
  const fingerprintS = seconds(t);
  line('  (a sweep with nothing changed)', fingerprintS, `(${fingerprinted.toLocaleString('en')} meter channels' read fingerprints; not in the total)`);
  line('allocate both sides (pro-rata)', allocS, `(${(sellerSides.size + buyerSides.size).toLocaleString('en')} side allocations)`);
  t = process.hrtime.bigint();
  const finals = trades.map((r) => combineSides(r.trade, sellerSides.get(r.trade.tradeId)!, buyerSides.get(r.trade.tradeId)!));
  line('combine sides (min-of-two)', seconds(t), `(${(finals.reduce((s, f) => s + f.intervals.reduce((x, i) => x + i.finalWh, 0), 0) / 1e6).toFixed(1)} MWh settled)`);

  let buildS = 0;
  let signS = 0;
  let csvS = 0;
  let lines = 0;
  let bytes = 0;
  let csvBytes = 0;
  for (const d of DISCOMS) {
    checkDeadline(`${d}'s statement`);
    const policy: PolicyPack = {
      policyId: `${d}.bench`, discomId: d, version: 1, effectiveFrom: '2026-01-01',
      p2p: { wheeling: { buyerPaisePerKwh: 35, sellerPaisePerKwh: 15 }, transactionCharge: { buyerPaisePerKwh: 21, sellerPaisePerKwh: 21 }, sellerShortfall: { treatment: 'FIXED_RATE', ratePaisePerKwh: 800 }, buyerShortfall: { treatment: 'WAIVED' } },
    };
    t = process.hrtime.bigint();
    const mine = trades.filter((r) => r.trade.seller.discomId === d || r.trade.buyer.discomId === d);
    const mineIds = new Set(mine.map((r) => r.trade.tradeId));
    const s = buildStatement({ discomId: d, scope: { kind: 'DAY', day: DAY }, trades: mine, finals: finals.filter((f) => mineIds.has(f.tradeId)) }, policy);
    buildS += seconds(t);
    t = process.hrtime.bigint();
    const { privateKeys, jwks } = await new Ed25519KeyFile(keysDir, d).current();
    const jws = await signStatement(s.bytes, { kid: jwks[0]!.kid as string, privateKey: privateKeys[0]! });
    signS += seconds(t);
    t = process.hrtime.bigint();
    for (const part of renderCsvParts(s)) csvBytes += part.length;
    csvS += seconds(t);
    lines += s.content.lines.length;
    bytes += s.bytes.length + jws.length;
  }
  line(`build ${DISCOMS.length} statements (JSON + SHA-256)`, buildS, `(${lines.toLocaleString('en')} lines)`);
  line('sign them (compact JWS, Ed25519)', signS, `(${(bytes / 2 ** 20).toFixed(0)} MiB JSON + JWS)`);
  line('serialise them as CSV', csvS, `(${(csvBytes / 2 ** 20).toFixed(0)} MiB)`);
  console.log('');
  const totalS = seconds(total) - fingerprintS;
  line('settlement total (timed part)', totalS, `(target ≤ ${TARGET_S} s; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  if (METERS === 1_000_000 && TRADES === 100_000) {
    recordBenchFigure({ stage: 'settlement', metric: '1M meters + 100k trades settled (s)', value: totalS, unit: 's', ceiling: null, target: { kind: 'at-most', value: TARGET_S } });
    recordBenchFigure({ stage: 'settlement', metric: 'reading the traded meters (s)', value: readS, unit: 's', ceiling: null, target: null });
  }
} finally {
  const admin = createClickHouse(config, { database: 'default' });
  if (KEEP === undefined) await admin.command({ query: `DROP DATABASE IF EXISTS ${identifier(database)}` });
  else console.log(`database ${database} kept (IES_BENCH_KEEP_DATABASE); drop it when done`);
  await admin.close();
  await ch.close();
  rmSync(keysDir, { recursive: true, force: true });
}
