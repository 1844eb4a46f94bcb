// The SQL catalogue of `npm run test:sql`: every migration of every owner and every
// statement the services send to ClickHouse, built by the services' own builders (from the
// build, services/*/dist) with sample values. `node scripts/sql-check/catalogue.mjs out.json`
// writes it for check.py, which runs it on chDB (a current ClickHouse, embedded).
// A module that sends SQL registers here (MODULES); the unit test
// services/clickhouse/src/sql-catalogue.test.ts fails when a builder or a module is missing.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Source files that send SQL → their built module. Bench files are left out on purpose:
 * they measure the stack (system tables, KILL QUERY, bulk fills) and are not services' SQL.
 */
export const MODULES = Object.freeze({
  'services/clickhouse/src/migrations.ts': 'services/clickhouse/dist/src/migrations.js',
  'services/clickhouse/src/owner-migrations.ts': 'services/clickhouse/dist/src/owner-migrations.js',
  'services/clickhouse/src/insert.ts': 'services/clickhouse/dist/src/insert.js',
  'services/clickhouse/src/merges.ts': 'services/clickhouse/dist/src/merges.js',
  'services/reads/src/queries.ts': 'services/reads/dist/src/queries.js',
  'services/reads/src/latest-reads.ts': 'services/reads/dist/src/latest-reads.js',
  'services/reads/src/history-grid.ts': 'services/reads/dist/src/history-grid.js',
  'services/reads/src/batch-reads.ts': 'services/reads/dist/src/batch-reads.js',
  'services/dr/src/dr-tables.ts': 'services/dr/dist/src/dr-tables.js',
  'services/settlement/src/trades-loader.ts': 'services/settlement/dist/src/trades-loader.js',
  'services/settlement/src/allocation-sink.ts': 'services/settlement/dist/src/allocation-sink.js',
  'services/settlement/src/statement-sinks.ts': 'services/settlement/dist/src/statement-sinks.js',
  'services/settlement/src/finals-at-cutoff.ts': 'services/settlement/dist/src/finals-at-cutoff.js',
  'services/settlement/src/statement-line-queries.ts': 'services/settlement/dist/src/statement-line-queries.js',
  'services/settlement/src/desk-store-rebuild.ts': 'services/settlement/dist/src/desk-store-rebuild.js',
  'services/settlement/src/trades-at-cutoff.ts': 'services/settlement/dist/src/trades-at-cutoff.js',
  'services/loader/src/sinks/meter-batches.ts': 'services/loader/dist/src/sinks/meter-batches.js',
  'services/loader/src/sinks/dead-letters.ts': 'services/loader/dist/src/sinks/dead-letters.js',
  'services/loader/src/sinks/receipts.ts': 'services/loader/dist/src/sinks/receipts.js',
  'services/loader/src/sinks/dr-events.ts': 'services/loader/dist/src/sinks/dr-events.js',
  'services/loader/src/http/queries.ts': 'services/loader/dist/src/http/queries.js',
  'services/loader/src/http/dead-letter-bytes.ts': 'services/loader/dist/src/http/dead-letter-bytes.js',
  'services/loader/src/read-days-backfill.ts': 'services/loader/dist/src/read-days-backfill.js',
});

const LEDGER = 'services/clickhouse/src/migrations.ts';
const load = (rel) => import(pathToFileURL(path.join(root, rel)).href);

const D = 'BRPL-DL';
const M = "M-'1"; // a quote in an id: every builder must escape it
const BLOCK_MS = Date.UTC(2026, 10, 20, 18, 30); // 00:00 IST, 21 Nov 2026
const DAY_S = BLOCK_MS / 1000;
const RECEIVED_MS = Date.UTC(2026, 10, 21, 1, 0);
const IST_DAY = (await load('services/units/dist/src/index.js')).istDayIndexOf(BLOCK_MS); // 21 Nov 2026

/** Each builder module's builders with sample values: [module, export, name, sql]. */
function queryEntries(m, database) {
  const reads = m['services/reads/src/queries.ts'];
  const dr = m['services/dr/src/dr-tables.ts'];
  const ledger = m['services/clickhouse/src/migrations.ts'];
  const range = { discomId: D, channel: 'IMPORT', meterIds: [M, 'M-2'], fromSec: DAY_S, toSec: DAY_S + 86_400 };
  const history = { ...range, usable: ['VALID', 'ESTIMATED', 'MANUAL'], maxWh: 2 ** 36 };
  const q = (file, exp, name, sql) => ({ module: file, export: exp, name, sql });
  return [
    q(LEDGER, 'appliedMigrationsQuery', 'clickhouse.appliedMigrations', ledger.appliedMigrationsQuery(database)),
    q('services/clickhouse/src/merges.ts', 'activeMergesQuery', 'clickhouse.activeMerges', m['services/clickhouse/src/merges.ts'].activeMergesQuery(database)),
    q('services/reads/src/queries.ts', 'latestBlocksQuery', 'reads.latestBlocks', reads.latestBlocksQuery(range)),
    q('services/reads/src/queries.ts', 'latestBlocksQuery', 'reads.latestBlocksAsOf', reads.latestBlocksQuery({ ...range, receivedByMs: RECEIVED_MS })),
    q('services/reads/src/queries.ts', 'dayFingerprintsQuery', 'reads.dayFingerprints', reads.dayFingerprintsQuery(range)),
    q('services/reads/src/queries.ts', 'packedHistoryQuery', 'reads.packedHistory', reads.packedHistoryQuery({ ...history, withVersions: false })),
    q('services/reads/src/queries.ts', 'packedHistoryQuery', 'reads.packedHistoryWithVersions', reads.packedHistoryQuery({ ...history, withVersions: true })),
    q('services/reads/src/queries.ts', 'readDaysQuery', 'reads.readDays', reads.readDaysQuery({ discomId: D, channel: 'IMPORT', meterIds: [M, 'M-2'], fromDay: IST_DAY, toDay: IST_DAY })),
    q('services/reads/src/queries.ts', 'readDaysWholeQuery', 'reads.readDaysWhole', reads.readDaysWholeQuery()),
    q('services/loader/src/read-days-backfill.ts', 'readDaysViewAgeQuery', 'loader.readDaysViewAge', m['services/loader/src/read-days-backfill.ts'].readDaysViewAgeQuery()),
    q('services/loader/src/read-days-backfill.ts', 'readDaysMarksQuery', 'loader.readDaysMarks', m['services/loader/src/read-days-backfill.ts'].readDaysMarksQuery()),
    q('services/loader/src/read-days-backfill.ts', 'insertsOlderThanQuery', 'loader.insertsOlderThan', m['services/loader/src/read-days-backfill.ts'].insertsOlderThanQuery(120)),
    q('services/loader/src/read-days-backfill.ts', 'copiedDaysQuery', 'loader.copiedDays', m['services/loader/src/read-days-backfill.ts'].copiedDaysQuery()),
    q('services/loader/src/read-days-backfill.ts', 'markDayCopiedQuery', 'loader.markDayCopied', m['services/loader/src/read-days-backfill.ts'].markDayCopiedQuery(IST_DAY)),
    q('services/loader/src/read-days-backfill.ts', 'readsDaysQuery', 'loader.readsDays', m['services/loader/src/read-days-backfill.ts'].readsDaysQuery()),
    q('services/loader/src/read-days-backfill.ts', 'copyReadDayQuery', 'loader.copyReadDay', m['services/loader/src/read-days-backfill.ts'].copyReadDayQuery(IST_DAY)),
    q('services/loader/src/read-days-backfill.ts', 'markReadDaysWholeQuery', 'loader.markReadDaysWhole', m['services/loader/src/read-days-backfill.ts'].markReadDaysWholeQuery(1)),
    q('services/reads/src/queries.ts', 'createMeterSetQuery', 'reads.createMeterSet', reads.createMeterSetQuery('wanted_meters')),
    q('services/reads/src/queries.ts', 'packedSeriesQuery', 'reads.packedSeries', reads.packedSeriesQuery({ fromSec: history.fromSec, toSec: history.toSec, usable: history.usable, maxWh: history.maxWh, meterTable: 'wanted_meters' })),
    q('services/reads/src/queries.ts', 'locateReadQuery', 'reads.locateLatest', reads.locateReadQuery(D, { meterId: M, blockStart: BLOCK_MS, channel: 'IMPORT' })),
    q('services/reads/src/queries.ts', 'locateReadQuery', 'reads.locateInBatch', reads.locateReadQuery(D, { meterId: M, blockStart: BLOCK_MS, channel: 'IMPORT', batchId: 'B-1' })),
    q('services/reads/src/queries.ts', 'batchReadsQuery', 'reads.batchReads', reads.batchReadsQuery(D, 'B-1')),
    q('services/reads/src/queries.ts', 'countReadsQuery', 'reads.countReads', reads.countReadsQuery(D)),
    q('services/reads/src/queries.ts', 'countReadsQuery', 'reads.countReadsFiltered', reads.countReadsQuery(D, { meterIdPrefix: 'M-', receivedSinceMs: RECEIVED_MS - 1 })),
    q('services/reads/src/queries.ts', 'sampleReadsQuery', 'reads.sampleReads', reads.sampleReadsQuery(D, RECEIVED_MS - 1, 5)),
    q('services/reads/src/queries.ts', 'storedReadGroupsQuery', 'reads.storedReadGroups', reads.storedReadGroupsQuery(D, RECEIVED_MS - 1, RECEIVED_MS + 86_400_000)),
    q('services/loader/src/http/queries.ts', 'deadLettersQuery', 'loader.deadLetters', m['services/loader/src/http/queries.ts'].deadLettersQuery({ discomId: D, limit: 100 })),
    q('services/loader/src/http/queries.ts', 'deadLettersQuery', 'loader.deadLettersFiltered', m['services/loader/src/http/queries.ts'].deadLettersQuery({ discomId: D, stage: 'gateway', code: 'IES_ERR_VEE_NEGATIVE', headEndId: "HES-'1", fromMs: RECEIVED_MS - 1, toMs: RECEIVED_MS + 1, limit: 10 })),
    q('services/loader/src/http/queries.ts', 'headEndBatchesQuery', 'loader.headEndBatches', m['services/loader/src/http/queries.ts'].headEndBatchesQuery(D)),
    q('services/loader/src/http/queries.ts', 'ingestPerMinuteQuery', 'loader.ingestPerMinute', m['services/loader/src/http/queries.ts'].ingestPerMinuteQuery(D, RECEIVED_MS - 3_600_000, RECEIVED_MS + 60_000)),
    q('services/loader/src/http/queries.ts', 'rejectionsPerMinuteQuery', 'loader.rejectionsPerMinute', m['services/loader/src/http/queries.ts'].rejectionsPerMinuteQuery(D, RECEIVED_MS - 3_600_000, RECEIVED_MS + 60_000)),
    q('services/loader/src/http/queries.ts', 'dayLoadedQuery', 'loader.dayLoaded', m['services/loader/src/http/queries.ts'].dayLoadedQuery(D, DAY_S, DAY_S + 86_400)),
    q('services/loader/src/http/queries.ts', 'receiptCheckpointsQuery', 'loader.receiptCheckpoints', m['services/loader/src/http/queries.ts'].receiptCheckpointsQuery(D, 20)),
    q('services/loader/src/http/dead-letter-bytes.ts', 'deadLetterBytesQuery', 'loader.deadLetterBytes', m['services/loader/src/http/dead-letter-bytes.ts'].deadLetterBytesQuery(D, 'B-9#1')),
    q('services/dr/src/dr-tables.ts', 'baselinesQuery', 'dr.baselines', dr.baselinesQuery(D, 'E-1')),
    q('services/dr/src/dr-tables.ts', 'latestPerformanceQuery', 'dr.latestPerformance', dr.latestPerformanceQuery(D, 'E-1')),
    q('services/dr/src/dr-tables.ts', 'deliveryQuery', 'dr.delivery', dr.deliveryQuery(D, 'E-1', 1)),
    q('services/dr/src/dr-tables.ts', 'performanceAsOfQuery', 'dr.performanceAsOf', dr.performanceAsOfQuery(D, 'E-1', RECEIVED_MS)),
    q('services/settlement/src/statement-line-queries.ts', 'statementLinesQuery', 'settlement.statementLinesPage', m['services/settlement/src/statement-line-queries.ts'].statementLinesQuery({ discomId: D, statementId: `${D}:2026-03-10`, sha256: 'ab', offset: 100, limit: 100 })),
    q('services/settlement/src/statement-line-queries.ts', 'statementLinesQuery', 'settlement.statementLinesFiltered', m['services/settlement/src/statement-line-queries.ts'].statementLinesQuery({ discomId: D, statementId: `${D}:2026-03-10`, sha256: 'ab', kind: 'WHEELING', meterId: "M'1", counterparty: 'X-DL', offset: 100, limit: 100 })),
    q('services/settlement/src/statement-line-queries.ts', 'statementLineCountQuery', 'settlement.statementLineCountAll', m['services/settlement/src/statement-line-queries.ts'].statementLineCountQuery({ discomId: D, statementId: `${D}:2026-03-10`, sha256: 'ab' })),
    q('services/settlement/src/statement-line-queries.ts', 'statementLineCountQuery', 'settlement.statementLineCount', m['services/settlement/src/statement-line-queries.ts'].statementLineCountQuery({ discomId: D, statementId: `${D}:2026-03-10`, sha256: 'ab', kind: 'WHEELING' })),
    q('services/settlement/src/finals-at-cutoff.ts', 'finalsAtCutoffQuery', 'settlement.finalsAtCutoff', m['services/settlement/src/finals-at-cutoff.ts'].finalsAtCutoffQuery(D, ['tx/c', M], RECEIVED_MS)),
    q('services/settlement/src/trades-at-cutoff.ts', 'tradesAtCutoffQuery', 'settlement.tradesAtCutoff', m['services/settlement/src/trades-at-cutoff.ts'].tradesAtCutoffQuery(D, ['tx/c', M], RECEIVED_MS)),
    q('services/settlement/src/desk-store-rebuild.ts', 'statementIndexQuery', 'settlement.statementIndex', m['services/settlement/src/desk-store-rebuild.ts'].statementIndexQuery(D)),
    q('services/settlement/src/desk-store-rebuild.ts', 'statementHistoryQuery', 'settlement.statementHistory', m['services/settlement/src/desk-store-rebuild.ts'].statementHistoryQuery(D, `${D}:2026-11-21:INITIAL`)),
  ];
}

/** Rows each TableSink writes, from its owner's row builders: [module, export, rows]. */
function sinkEntries(m) {
  const dr = m['services/dr/src/dr-tables.ts'];
  const trades = m['services/settlement/src/trades-loader.ts'];
  const allocations = m['services/settlement/src/allocation-sink.ts'];
  const statements = m['services/settlement/src/statement-sinks.ts'];
  const event = { discomId: D, eventId: 'E-1', version: 1, aggregatorId: 'AGG-1', intervalStarts: [BLOCK_MS + 18 * 3_600_000] };
  const baseline = { policy: 'like-days@1', intervalStarts: event.intervalStarts, meters: [{ meterId: M, status: 'OK', baselineWh: [200], unadjustedWh: [190], selectedDays: ['2026-11-20'], detail: null }, { meterId: 'M-2', status: 'INSUFFICIENT_HISTORY', baselineWh: [], unadjustedWh: [], selectedDays: [], detail: 'too few days' }] };
  const totals = { deliveredWh: 50, offeredWh: 100, eligibleWh: 50, shortfallWh: 50, paymentPaise: 400, penaltyPaise: 100, netPaise: 300 };
  const perf = { complete: true, totals, intervals: [{ intervalStart: event.intervalStarts[0], deliveredWh: 50 }], meters: [{ meterId: M, deliveredWh: [50], status: ['DELIVERED'] }] };
  const trade = { tradeId: 'tx/c', transactionId: 'tx', commitmentId: 'c', contractId: null, seller: { meterId: 'S-1', discomId: D, platformId: 'P' }, buyer: { meterId: 'B-1', discomId: 'TPDDL-DL', platformId: 'P' }, intervals: [{ startMs: BLOCK_MS, endMs: BLOCK_MS + 900_000, quantityWh: 4000, pricePaisePerKwh: 600 }] };
  const change = { tradeId: 'tx/c', discomId: D, revision: 1, state: 'CONFIRMED', previousState: null, at: RECEIVED_MS, by: 'platform', reason: null, trade: JSON.stringify(trade) };
  const final = { discomId: D, version: 1, at: RECEIVED_MS, sellerJws: 'a..b', buyerJws: 'c..d', final: { tradeId: 'tx/c', sellerDiscomId: D, buyerDiscomId: 'TPDDL-DL', sellerVersion: 1, buyerVersion: 1, sellerStatus: 'COMPLETED', buyerStatus: 'COMPLETED', status: 'COMPLETED', intervals: [{ startMs: BLOCK_MS, endMs: BLOCK_MS + 900_000, contractedWh: 4000, sellerWh: 3000, buyerWh: 3500, finalWh: 3000, deviationWh: 1000 }], evidence: [] } };
  const line = (kind, start) => ({ kind, reference: 'tx/c', intervalStartMs: start, intervalEndMs: start === null ? null : start + 900_000, meterId: start === null ? null : 'S-1', payer: 'TPDDL-DL', payee: D, counterparty: 'TPDDL-DL', quantityWh: start === null ? null : 3000, ratePaisePerKwh: start === null ? null : 600, amountPaise: 1800, note: null });
  const content = { discomId: D, id: 'ST-1', scope: { kind: 'DAY', day: '2026-11-21' }, version: 1, revises: null, policy: { policyId: 'p2p', version: 1 }, totals: { receivablePaise: 1800, payablePaise: 0, netPaise: 1800 }, complete: true, lines: [line('P2P_ENERGY', BLOCK_MS), line('ADJUSTMENT', null)] };
  const statement = { content, sha256: 'ab'.repeat(32), jws: 'h..s', status: 'DRAFT', reason: null, at: RECEIVED_MS };
  const s = (file, exp, sink, rows) => ({ module: file, export: exp, name: `${file.split('/')[1]}.${sink.table}`, table: sink.table, statement: sink.statement, rows });
  return [
    s('services/dr/src/dr-tables.ts', 'BASELINES_TABLE', dr.BASELINES_TABLE, [...dr.baselineTableRows(event, baseline, RECEIVED_MS)]),
    s('services/dr/src/dr-tables.ts', 'PERFORMANCE_TABLE', dr.PERFORMANCE_TABLE, [dr.performanceRow(event, perf, 1, RECEIVED_MS)]),
    s('services/dr/src/dr-tables.ts', 'DELIVERY_TABLE', dr.DELIVERY_TABLE, dr.deliveryRows(event, perf, 1, RECEIVED_MS)),
    s('services/settlement/src/trades-loader.ts', 'TRADES_TABLE', trades.TRADES_TABLE, trades.tradeRows(change)),
    s('services/settlement/src/allocation-sink.ts', 'ALLOCATIONS_TABLE', allocations.ALLOCATIONS_TABLE, allocations.allocationRows(final)),
    s('services/settlement/src/statement-sinks.ts', 'STATEMENTS_TABLE', statements.STATEMENTS_TABLE, [statements.statementRow(statement)]),
    s('services/settlement/src/statement-sinks.ts', 'STATEMENT_LINES_TABLE', statements.STATEMENT_LINES_TABLE, statements.statementLineRows(statement)),
    s('services/settlement/src/statement-sinks.ts', 'STATEMENT_HISTORY_TABLE', statements.STATEMENT_HISTORY_TABLE, [statements.statementHistoryRow({ ...statement, history: { day: '2026-11-21', change: { status: 'DRAFT', sha256: statement.sha256, at: RECEIVED_MS, by: 'settlement-worker', reason: null } } }, true)]),
  ];
}

/** The loader's RowBinary inserts: each sink's sample record encoded by the sink itself. */
async function rowBinaryEntries(m) {
  const { RowBinaryWriter } = await load('services/loader/dist/src/row-binary.js');
  const read = (meterId, wh, validationStatus, blockStart = BLOCK_MS) => ({ meterId, blockStart, channel: 'IMPORT', wh, validationStatus, source: 'HES' });
  const samples = [
    ['services/loader/src/sinks/meter-batches.ts', 'meterBatchesSink', { batchId: 'B-1', discomId: D, headEndId: 'HES-1', receivedAt: RECEIVED_MS, reads: [read(M, 412, 'VALID'), read(M, 9, 'SUSPECT', BLOCK_MS + 900_000), read('M-2', 7, 'ESTIMATED')] }],
    ['services/loader/src/sinks/meter-batches.ts', 'meterBatchesSink', { batchId: 'B-2', discomId: D, headEndId: 'HES-1', receivedAt: RECEIVED_MS + 1, reads: [read(M, 420, 'MANUAL')] }],
    ['services/loader/src/sinks/dead-letters.ts', 'deadLettersSink', { sourceId: 'B-9#1', discomId: D, stage: 'gateway', code: 'IES_ERR_VEE_NEGATIVE', message: 'wh -5', rejectedAt: RECEIVED_MS, payload: new Uint8Array([0, 1, 255]), context: { meterId: M, batchId: 'B-9' } }],
    ['services/loader/src/sinks/receipts.ts', 'receiptsSink', { batchId: 'B-1', discomId: D, headEndId: 'HES-1', readCount: 3, batchRoot: 'ab'.repeat(32), acceptedAt: new Date(RECEIVED_MS).toISOString(), logIndex: 0, checkpoint: 'log\n1\nroot\n', inclusionProof: ['cd'.repeat(32)], jws: 'h..s' }],
    ['services/loader/src/sinks/dr-events.ts', 'drEventsSink', { eventId: 'E-1', discomId: D, aggregatorId: 'AGG-1', programmeId: 'PEAK', version: 1, state: 'ACTIVE', previousState: 'ANNOUNCED', at: RECEIVED_MS, by: 'desk', reason: null, event: '{}' }],
  ];
  return samples.map(([file, exp, record], i) => {
    const sink = m[file][exp];
    const out = new RowBinaryWriter();
    const outcome = sink.write(record, { tenant: D, partition: 0, offset: String(i), loadedAtMs: RECEIVED_MS + 1_500 }, out);
    if (outcome.rows === 0 || outcome.deadLetters.length > 0) throw new Error(`sample record of ${exp} was refused: ${JSON.stringify(outcome.deadLetters)}`);
    return { module: file, export: exp, name: `loader.${sink.table}.${i}`, table: sink.table, columns: [...sink.columns], hex: out.bytes().toString('hex') };
  });
}

/** Every owner's migrations, in global version order, as the runner would apply them. */
async function migrationEntries() {
  const { loadMigrationSets } = await load('services/clickhouse/dist/src/owner-migrations.js');
  const sets = await Promise.all([
    load('services/loader/dist/src/migrate.js').then((x) => x.LOADER_MIGRATIONS),
    load('services/dr/dist/src/migrate.js').then((x) => x.DR_MIGRATIONS),
    load('services/settlement/dist/src/migrate.js').then((x) => x.SETTLEMENT_MIGRATIONS),
  ]);
  const loaded = await loadMigrationSets(sets);
  return loaded.flatMap(({ set, migrations }) => migrations.map((mg) => ({ owner: set.owner, version: mg.version, name: mg.name, checksum: mg.checksum, statements: mg.statements })))
    .sort((a, b) => a.version - b.version);
}

export async function buildCatalogue(database = 'ies') {
  const m = {};
  for (const [file, built] of Object.entries(MODULES)) m[file] = await load(built);
  const ledger = m[LEDGER];
  const migrations = await migrationEntries();
  return {
    database,
    // The migration runner's own statements (its ledger, schema_migrations), as it sends them.
    ledger: {
      createDatabase: { module: LEDGER, export: 'createDatabaseQuery', name: 'clickhouse.createDatabase', sql: ledger.createDatabaseQuery(database) },
      createTable: { module: LEDGER, export: 'ledgerTableQuery', name: 'clickhouse.ledgerTable', sql: ledger.ledgerTableQuery(database) },
      record: migrations.map((mg) => ({ module: LEDGER, export: 'recordMigrationQuery', name: `clickhouse.recordMigration ${mg.version}`, sql: ledger.recordMigrationQuery(database, mg) })),
    },
    migrations,
    rowBinaryInserts: await rowBinaryEntries(m),
    inserts: sinkEntries(m),
    queries: queryEntries(m, database),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? path.join(root, 'out/sql-check/catalogue.json');
  const catalogue = await buildCatalogue();
  writeFileSync(out, JSON.stringify(catalogue, null, 1));
  console.log(`[sql-check] ${catalogue.migrations.length} migrations, ${catalogue.rowBinaryInserts.length + catalogue.inserts.length} inserts, ${catalogue.queries.length} queries → ${path.relative(root, out)}`);
}
