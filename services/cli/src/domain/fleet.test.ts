import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFleet, injectFaults, istDayStart, meterDay, toCsv } from './fleet.js';

test('the fleet is deterministic for a seed and mixes kinds', () => {
  const a = buildFleet({ seed: 7, meters: 400, headEnds: 4 });
  assert.deepEqual(a, buildFleet({ seed: 7, meters: 400, headEnds: 4 }));
  assert.notDeepEqual(a, buildFleet({ seed: 8, meters: 400, headEnds: 4 }));
  const kinds = new Set(a.map((m) => m.kind));
  assert.deepEqual([...kinds].sort(), ['COMMERCIAL', 'PROSUMER', 'RESIDENTIAL']);
  assert.equal(new Set(a.map((m) => m.headEndId)).size, 4);
});

test('a meter day has aligned IST blocks, integer non-negative Wh, and never both channels', () => {
  const day = istDayStart('2026-11-20');
  assert.equal(new Date(day).toISOString(), '2026-11-19T18:30:00.000Z');
  for (const m of buildFleet({ seed: 1, meters: 50, headEnds: 2 })) {
    const rows = meterDay(m, day, { seed: 1 });
    assert.ok(rows.length <= 96 && rows.length >= 85);
    for (const r of rows) {
      assert.equal((r.blockStart - day) % 900_000, 0);
      assert.ok(Number.isInteger(r.importWh) && r.importWh >= 0 && Number.isInteger(r.exportWh) && r.exportWh >= 0);
      assert.ok(r.importWh === 0 || r.exportWh === 0);
      assert.ok(r.importWh <= m.sanctionedLoadW * 0.25 * 1.5, `import ${r.importWh} within plausibility`);
    }
  }
});

test('prosumers export at midday on a clear day and import in the evening', () => {
  const pros = buildFleet({ seed: 3, meters: 200, headEnds: 1 }).filter((m) => m.kind === 'PROSUMER' && m.pvCapacityW >= 4000);
  const day = istDayStart('2026-11-18');
  const noonExport = pros.map((m) => meterDay(m, day, { seed: 3, gapRate: 0 }).find((r) => r.blockStart === day + 50 * 900_000)?.exportWh ?? 0);
  assert.ok(noonExport.filter((wh) => wh > 0).length > pros.length / 2, `most prosumers export at 12:30 IST: ${noonExport.join(',')}`);
  const evening = pros.map((m) => meterDay(m, day, { seed: 3, gapRate: 0 }).find((r) => r.blockStart === day + 80 * 900_000)?.importWh ?? 0);
  assert.ok(evening.every((wh) => wh > 0));
});

test('CSV rows carry ISO timestamps', () => {
  const rows = [{ meterId: 'M', blockStart: Date.UTC(2026, 10, 19, 18, 30), importWh: 5, exportWh: 0, status: 'VALID' as const }];
  assert.equal(toCsv(rows), 'meter_id,block_start,import_wh,export_wh,status\nM,2026-11-19T18:30:00.000Z,5,0,VALID\n');
});

test('faults are injected at the asked rate, deterministically', () => {
  const day = istDayStart('2026-11-20');
  const rows = buildFleet({ seed: 5, meters: 100, headEnds: 1 }).flatMap((m) => meterDay(m, day, { seed: 5 }));
  const a = injectFaults(rows, 0.02, 5);
  assert.deepEqual(a, injectFaults(rows, 0.02, 5));
  const total = Object.values(a.faults).reduce((x, y) => x + y, 0);
  assert.ok(total > rows.length * 0.01 && total < rows.length * 0.03, `${total} faults in ${rows.length} rows`);
  assert.equal(a.rows.length, rows.length + a.faults.DUPLICATE);
  assert.deepEqual(injectFaults(rows, 0, 5).rows, rows);
});
