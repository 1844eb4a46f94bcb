// loadSideReads against the real ClickHouse: the meters asked for are joined in ClickHouse
// (a session's temporary table), and the answer is the latest usable version per block —
// revisions, unusable statuses, other DISCOMs and channels, blocks outside the range, ids
// with quotes and meters without reads included.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createClickHouse } from '@ies/clickhouse';
import { stackConfig, uniqueTenant } from '@ies/testing';
import { migrateSettlementTables } from '../../src/migrate.js';
import { loadLatestSeriesOfMany } from '@ies/reads';
import { latestBlocksQuery } from '@ies/reads/queries';
import { loadSideReads } from '../../src/side-reads.js';

const BLOCK_MS = 900_000;
const D = uniqueTenant('SR');
const OTHER = uniqueTenant('SRO');
const database = `it_side_reads_${randomBytes(4).toString('hex')}`;
const config = stackConfig({ IES_CLICKHOUSE_DATABASE: database }, 'admin');
const ch = createClickHouse(config);
const FROM = Date.UTC(2026, 3, 25, 18, 30); // 00:00 IST 26 Apr 2026
const TO = FROM + 96 * BLOCK_MS;

interface Row { discom?: string; meter: string; block: number; wh: number; status?: string; batch: string; received?: number; channel?: 'IMPORT' | 'EXPORT' }
const row = (r: Row) => ({
  discom_id: r.discom ?? D, meter_id: r.meter, block_start: (FROM + r.block * BLOCK_MS) / 1000, channel: r.channel ?? 'EXPORT', wh: r.wh,
  validation_status: r.status ?? 'VALID', source: 'HES', batch_id: r.batch, index_in_batch: 0, head_end_id: 'HES-1', received_at_ms: r.received ?? 1_000,
});

before(async () => {
  await migrateSettlementTables(config);
  const rows: Row[] = [
    { meter: 'S-1', block: 0, wh: 100, batch: 'B1' },
    { meter: 'S-1', block: 40, wh: 250, batch: 'B2' },
    { meter: 'S-1', block: 41, wh: 9, status: 'SUSPECT', batch: 'B2' },
    { meter: 'S-1', block: 95, wh: 0, status: 'ESTIMATED', batch: 'B3' },
    { meter: 'S-1', block: 96, wh: 777, batch: 'B3' }, // the next day: outside the range
    { meter: 'S-1', block: -1, wh: 777, batch: 'B0' }, // the day before
    { meter: 'S-1', block: 10, wh: 555, batch: 'B1', channel: 'IMPORT' }, // the other channel
    { meter: 'S-1', block: 11, wh: 666, batch: 'B1', discom: OTHER }, // another DISCOM's meter of that name
    // A revision: block 5 re-sent later in another batch; the later version wins.
    { meter: 'S-2', block: 5, wh: 300, batch: 'B1', received: 1_000 },
    { meter: 'S-2', block: 5, wh: 310, batch: 'R1', received: 2_000 },
    { meter: 'S-2', block: 6, wh: 320, batch: 'B1', received: 1_000 },
    // A revision that makes a block unusable.
    { meter: 'S-3', block: 7, wh: 400, batch: 'B1', received: 1_000 },
    { meter: 'S-3', block: 7, wh: 401, status: 'SUSPECT', batch: 'R2', received: 3_000 },
    { meter: "S-'4", block: 20, wh: 42, batch: 'B4' },
    { meter: 'S-5', block: 30, wh: -5, batch: 'B5' }, // a negative value is not a usable read
  ];
  await ch.insert({ table: 'reads', values: rows.map(row), format: 'JSONEachRow' });
});

after(async () => {
  await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await ch.close();
});

function expected(blocks: Record<number, number>): number[] {
  const wh = new Array<number>(96).fill(-1);
  for (const [b, v] of Object.entries(blocks)) wh[Number(b)] = v;
  return wh;
}

test('loadSideReads: the latest usable version of each block of each meter asked for, joined in ClickHouse', async () => {
  const loaded = await loadSideReads(ch, D, 'EXPORT', ['S-1', 'S-2', 'S-3', "S-'4", 'S-5', 'S-NONE'], FROM, TO);
  assert.deepEqual([...loaded.keys()], ['S-1', 'S-2', 'S-3', "S-'4", 'S-5', 'S-NONE'], 'every meter asked for, in the order asked');
  const view = (id: string) => ({ startMs: loaded.get(id)!.startMs, wh: [...loaded.get(id)!.wh], batches: [...loaded.get(id)!.batches].sort() });
  assert.deepEqual(view('S-1'), { startMs: FROM, wh: expected({ 0: 100, 40: 250, 95: 0 }), batches: ['B1', 'B2', 'B3'] });
  assert.deepEqual(view('S-2'), { startMs: FROM, wh: expected({ 5: 310, 6: 320 }), batches: ['B1', 'R1'] });
  assert.deepEqual(view('S-3'), { startMs: FROM, wh: expected({}), batches: ['R2'] });
  assert.deepEqual(view("S-'4"), { startMs: FROM, wh: expected({ 20: 42 }), batches: ['B4'] });
  assert.deepEqual(view('S-5'), { startMs: FROM, wh: expected({}), batches: ['B5'] });
  assert.deepEqual(view('S-NONE'), { startMs: FROM, wh: expected({}), batches: [] });
});

test('loadSideReads: a range off the 15-minute grid and an empty meter list', async () => {
  assert.equal((await loadSideReads(ch, D, 'EXPORT', [], FROM, TO)).size, 0);
  // Half a block later: no read starts on this grid, so every value is missing.
  const shifted = await loadSideReads(ch, D, 'EXPORT', ['S-1'], FROM + BLOCK_MS / 2, TO + BLOCK_MS / 2);
  assert.deepEqual([...shifted.get('S-1')!.wh], expected({}));
  // Two blocks later, on the grid: the same reads at other indices.
  const later = await loadSideReads(ch, D, 'EXPORT', ['S-1'], FROM + 2 * BLOCK_MS, TO);
  assert.deepEqual([...later.get('S-1')!.wh], expected({ 38: 250, 93: 0 }).slice(0, 94));
});

test('loadSideReads: many meters in one query (no id list in the SQL)', async () => {
  const ids = Array.from({ length: 30_000 }, (_, i) => `BULK-${i}`);
  await ch.insert({ table: 'reads', values: ids.filter((_, i) => i % 3 === 0).map((meter, i) => row({ meter, block: i % 96, wh: i, batch: 'BULK' })), format: 'JSONEachRow' });
  const loaded = await loadSideReads(ch, D, 'EXPORT', ids, FROM, TO);
  assert.equal(loaded.size, ids.length);
  assert.equal(loaded.get('BULK-3')!.wh[1], 1);
  assert.equal(loaded.get('BULK-29997')!.wh[9999 % 96], 9999);
  assert.equal([...loaded.values()].filter((s) => s.batches.size > 0).length, 10_000);
});

test('loadLatestSeriesOfMany: several DISCOMs and channels in one query, each request its own answer', async () => {
  const [exports, imports, other, again] = await loadLatestSeriesOfMany(ch, [
    { discomId: D, channel: 'EXPORT', meterIds: ['S-1', 'S-2'] },
    { discomId: D, channel: 'IMPORT', meterIds: ['S-1'] },
    { discomId: OTHER, channel: 'EXPORT', meterIds: ['S-1', 'S-2'] },
    { discomId: D, channel: 'EXPORT', meterIds: ['S-2'] },
  ], FROM, TO);
  assert.deepEqual([...exports!.get('S-1')!.wh], expected({ 0: 100, 40: 250, 95: 0 }));
  assert.deepEqual([...exports!.get('S-2')!.wh], expected({ 5: 310, 6: 320 }));
  assert.deepEqual([...imports!.get('S-1')!.wh], expected({ 10: 555 }));
  assert.deepEqual([...other!.get('S-1')!.wh], expected({ 11: 666 }));
  assert.deepEqual([...other!.get('S-2')!.wh], expected({}));
  assert.deepEqual([...again!.get('S-2')!.wh], expected({ 5: 310, 6: 320 }), 'a meter channel in two requests is in both answers');
});

/** The path the joined query replaced: latestBlocksQuery (GROUP BY meter and block, argMax by version) in chunks, as JSON rows. */
async function byVersion(discomId: string, channel: 'IMPORT' | 'EXPORT', meterIds: string[]): Promise<Map<string, { wh: number[]; batches: string[] }>> {
  const out = new Map(meterIds.map((id) => [id, { wh: new Array<number>(96).fill(-1), batches: new Set<string>() }]));
  const rows = await (await ch.query({ query: latestBlocksQuery({ discomId, channel, meterIds, fromSec: FROM / 1000, toSec: TO / 1000 }), format: 'JSONEachRow' })).json<{ meter_id: string; block_sec: number | string; latest_wh: number | string; latest_status: string; latest_batch: string }>();
  for (const r of rows) {
    const s = out.get(r.meter_id)!;
    const wh = Number(r.latest_wh);
    s.batches.add(r.latest_batch);
    s.wh[(Number(r.block_sec) * 1000 - FROM) / BLOCK_MS] = ['VALID', 'ESTIMATED', 'MANUAL'].includes(r.latest_status) && wh >= 0 ? wh : -1;
  }
  return new Map([...out].map(([id, s]) => [id, { wh: s.wh, batches: [...s.batches].sort() }]));
}

test('loadSideReads: the same answer as the by-version query it replaced', async () => {
  const ids = ['S-1', 'S-2', 'S-3', "S-'4", 'S-5', 'S-NONE', 'BULK-0', 'BULK-3', 'BULK-4'];
  for (const channel of ['EXPORT', 'IMPORT'] as const) {
    const joined = await loadSideReads(ch, D, channel, ids, FROM, TO);
    const reference = await byVersion(D, channel, ids);
    for (const id of ids) assert.deepEqual({ wh: [...joined.get(id)!.wh], batches: [...joined.get(id)!.batches].sort() }, reference.get(id), `${id} ${channel}`);
  }
});
