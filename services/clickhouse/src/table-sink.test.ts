import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClickHouseClient } from '@clickhouse/client';
import { TableSink } from './table-sink.js';

/** Records the INSERTs a sink makes; the client's insert is the only call a TableSink uses. */
function recordingClient(): { client: ClickHouseClient; inserts: { table: string; rows: number }[] } {
  const inserts: { table: string; rows: number }[] = [];
  const client = { insert: async (p: { table: string; values: object[] }) => { inserts.push({ table: p.table, rows: p.values.length }); } } as unknown as ClickHouseClient;
  return { client, inserts };
}

test('rows are inserted in chunks of at most chunkRows, in order; none for an empty list', async () => {
  const { client, inserts } = recordingClient();
  const sink = new TableSink<{ n: number }>('dr_delivery', { chunkRows: 2 });
  await sink.write(client, [{ n: 1 }, { n: 2 }, { n: 3 }]);
  await sink.write(client, []);
  assert.deepEqual(inserts, [{ table: 'dr_delivery', rows: 2 }, { table: 'dr_delivery', rows: 1 }]);
  assert.equal(sink.statement, 'INSERT INTO dr_delivery FORMAT JSONEachRow');
});

test('a batch inserts each chunk as it fills and the rest at end', async () => {
  const { client, inserts } = recordingClient();
  const batch = new TableSink<{ n: number }>('dr_baselines', { chunkRows: 2 }).batch(client);
  for (let n = 0; n < 5; n++) await batch.add({ n });
  assert.equal(inserts.length, 2);
  await batch.end();
  await batch.end();
  assert.deepEqual(inserts.map((i) => i.rows), [2, 2, 1]);
});

test('table names and chunk sizes are checked', () => {
  assert.throws(() => new TableSink('x; DROP'), RangeError);
  assert.throws(() => new TableSink('t', { chunkRows: 0 }), RangeError);
});
