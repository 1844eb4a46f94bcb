import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compactCsvColumns } from './compact-csv-columns.js';
import { CSV_HEADER } from './normalise-csv.js';
import { MAX_KEPT_METERS, MeterVerdicts, idHash } from './meter-verdicts.js';
import type { IngestContext, MeterInfo } from './types.js';

const BLOCK = Date.UTC(2026, 10, 20, 18, 30);
const meters = new Map<string, MeterInfo>(['M-1', 'M-2', 'M-3'].map((id) => [id, { meterId: id, discomId: 'VB-DL', sanctionedLoadW: 5000, headEndId: 'HE-1' }]));
const context = (meterVerdicts?: MeterVerdicts): IngestContext => ({ discomId: 'VB-DL', senderId: 'HE-1', meters: (id) => meters.get(id), policy: { nowMs: BLOCK + 86_400_000, halfHourProfiles: 'REJECT', plausibilityMargin: 1.5 }, ...(meterVerdicts ? { meterVerdicts } : {}) });
const csv = (...rows: string[]) => Buffer.from(`${CSV_HEADER}\n${rows.map((r) => `${r},${new Date(BLOCK).toISOString()},100,,VALID`).join('\n')}\n`);

test('a kept table answers as a fresh one, batch after batch, and keeps only admitted meters', () => {
  const kept = new MeterVerdicts('VB-DL', 'HE-1', 1.5);
  for (const body of [csv('M-1', 'M-2'), csv('M-2', 'M-3'), csv('M-1', 'M-4'), csv('M-3', 'M-1', 'M-3'), csv('M-2')]) {
    assert.deepEqual(compactCsvColumns(body, context(kept)), compactCsvColumns(body, context()));
  }
  assert.equal(kept.size, 3, 'M-4 is not registered: never kept');
  // Kept for another head-end or margin: not used.
  const other = new MeterVerdicts('VB-DL', 'HE-2', 1.5);
  assert.equal(compactCsvColumns(csv('M-1'), context(other))?.count, 1);
  assert.equal(other.size, 0);
});

test('a full table starts over between batches, never within one: a duplicate across the limit is still one', () => {
  const kept = new MeterVerdicts('VB-DL', 'HE-1', 1.5);
  const filler = Buffer.from('X'.repeat(16));
  for (let i = 0; kept.size < MAX_KEPT_METERS - 1; i++) {
    filler.write(String(i).padStart(16, '0'));
    kept.add(filler.toString('latin1'), idHash(filler, 0, filler.length), 1, 1);
  }
  // M-1 fills the table within this batch; its second read of the same block is the VEE duplicate either way.
  const duplicate = csv('M-1', 'M-2', 'M-1');
  assert.equal(compactCsvColumns(duplicate, context()), undefined);
  assert.equal(compactCsvColumns(duplicate, context(kept)), undefined);
  assert.equal(kept.size, MAX_KEPT_METERS + 1, 'over the limit by one batch\'s meters');
  // The next batch starts over.
  assert.deepEqual(compactCsvColumns(csv('M-3', 'M-1'), context(kept)), compactCsvColumns(csv('M-3', 'M-1'), context()));
  assert.equal(kept.size, 2);
});
