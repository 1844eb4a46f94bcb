import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import { DEFAULT_SCHEMAS_DIR } from '@ies/kafka';
import type { MeterBatchRecord } from './domain/rows.js';
import type { RecordReadColumns } from '@ies/registry/verify-batch';
import { MeterBatchWire, planOf, wireReadColumns, writeWireReads } from './meter-batch-wire.js';
import { RowBinaryWriter } from './row-binary.js';
import { meterBatchesSink } from './sinks/meter-batches.js';
import { seededRandom } from '@ies/testing';

// The wire path against the generic one (avsc decode → meterBatchesSink → RowBinary) on the
// same bytes: the same rows byte for byte, the same dead letters, the same decoded fields.

type Schema = { type: string; name: string; fields: { name: string; type: unknown; default?: unknown }[] } & Record<string, unknown>;
const SCHEMA = JSON.parse(readFileSync(path.join(DEFAULT_SCHEMAS_DIR, 'meter-batch.v1.avsc'), 'utf8')) as Schema;
const TENANT = 'BRPL-DL';
const BLOCK_MS = 900_000;
const MAX_MS = (2 ** 32 - 1) * 1000;


/** Types served by a registry stand-in, by schema id. */
function wireFor(types: Map<number, avro.Type>): MeterBatchWire {
  return new MeterBatchWire({ registry: { getSchema: async (id: number) => types.get(id) } } as never);
}

function framed(id: number, body: Buffer): Buffer {
  const frame = Buffer.alloc(5);
  frame.writeInt32BE(id, 1);
  return Buffer.concat([frame, body]);
}

function sinkBytes(record: unknown, tenant = TENANT): { bytes: Buffer; rows: number; deadLetters: unknown } {
  const w = new RowBinaryWriter(97);
  w.string('before');
  const outcome = meterBatchesSink.write(record as MeterBatchRecord, { tenant, partition: 0, offset: '0' }, w);
  return { bytes: w.bytes(), rows: outcome.rows, deadLetters: outcome.deadLetters };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

function randomString(r: () => number): string {
  switch (Math.floor(r() * 8)) {
    case 0:
      return '';
    case 1:
      return 'MTR-é₹-' + String.fromCodePoint(0x1f600 + Math.floor(r() * 50)); // non-ASCII, astral
    case 2:
      return 'M'.repeat(60 + Math.floor(r() * 200)); // a length over 127 bytes takes two LEB128 bytes
    case 3:
      return 'ü'.repeat(Math.floor(r() * 100));
    default:
      return `MTR-${Math.floor(r() * 1e8).toString().padStart(8, '0')}`;
  }
}

function randomLong(r: () => number): number {
  switch (Math.floor(r() * 10)) {
    case 0:
      return 0;
    case 1:
      return -Math.floor(r() * 2 ** 47);
    case 2:
      return pick(r, [2 ** 53 - 2, -(2 ** 53 - 2), 2 ** 48, -(2 ** 48), 2 ** 48 - 1, -(2 ** 48) + 1, 2 ** 50 + 3]);
    case 3:
      return Math.floor(r() * 2 ** 47);
    default:
      return Math.floor(r() * 5000);
  }
}

function randomBlockStart(r: () => number): number {
  switch (Math.floor(r() * 12)) {
    case 0:
      return Math.floor(r() * 1e12) * 1000 + 60_000; // misaligned
    case 1:
      return -BLOCK_MS;
    case 2:
      return MAX_MS - (MAX_MS % BLOCK_MS) + pick(r, [0, BLOCK_MS]); // the last storable block, and one past the end
    case 3:
      return 0;
    default:
      return Math.floor((r() * MAX_MS) / BLOCK_MS) * BLOCK_MS;
  }
}

function randomRecord(r: () => number, readCount: number): Record<string, unknown> {
  const reads = Array.from({ length: readCount }, () => ({
    meterId: randomString(r),
    blockStart: r() < 0.03 ? randomBlockStart(r) : Math.floor((r() * MAX_MS) / BLOCK_MS) * BLOCK_MS,
    channel: pick(r, ['IMPORT', 'EXPORT']),
    wh: r() < 0.03 ? randomLong(r) : Math.floor(r() * 5000),
    validationStatus: pick(r, ['VALID', 'ESTIMATED', 'MANUAL', 'SUSPECT', 'REJECTED']),
    source: pick(r, ['METER', 'HES', 'ESTIMATED', 'MANUAL', 'IMPORT', 'MDM_COMPUTED', 'CIS_COMPUTED']),
  }));
  const withRoot = r() < 0.5;
  return {
    batchId: r() < 0.1 ? randomString(r) : `HES-1:${Math.floor(r() * 1e9)}`,
    discomId: r() < 0.05 ? 'TPDDL-DL' : TENANT,
    headEndId: r() < 0.1 ? randomString(r) : 'HES-1',
    receivedAt: r() < 0.05 ? pick(r, [-1, 2 ** 53 - 2, 2 ** 50]) : Date.UTC(2026, 10, 21) + Math.floor(r() * 1e9),
    format: pick(r, ['IES_METERDATA_V06', 'COMPACT_CSV', 'IES_METERDATA_VC']),
    bodySha256: 'ab'.repeat(32),
    signature: randomString(r),
    body: Buffer.from(randomString(r)),
    reads,
    rejected: r() < 0.3 ? [{ index: 3, path: 'line 4', meterId: r() < 0.5 ? null : 'M-9', blockStart: null, channel: r() < 0.5 ? null : 'EXPORT', code: 'IES_ERR_VEE_NEGATIVE', message: 'wh -5' }] : [],
    batchRoot: withRoot ? 'cm9vdA==' : null,
    readCount: withRoot ? readCount : null,
  };
}

/** Compares both paths on `value`; true when the wire path took the record. */
async function samePaths(wire: MeterBatchWire, type: avro.Type, value: Buffer, tenant = TENANT): Promise<boolean> {
  let generic: unknown;
  let genericError: unknown;
  try {
    generic = type.fromBuffer(value.subarray(5));
  } catch (err) {
    genericError = err;
  }
  const fast = await wire.decode(value);
  if (fast === undefined) return false;
  assert.equal(genericError, undefined, 'the wire path took a record avsc refuses');
  const a = sinkBytes(generic, tenant);
  const b = sinkBytes(fast, tenant);
  assert.equal(b.rows, a.rows);
  assert.deepEqual(b.deadLetters, a.deadLetters);
  assert.ok(b.bytes.equals(a.bytes), 'RowBinary differs');
  // The verifier reads these: the same values as avsc's (reads decoded on first use).
  for (const f of (type as unknown as { fields: { name: string }[] }).fields) {
    assert.deepEqual(JSON.parse(JSON.stringify((fast as unknown as Record<string, unknown>)[f.name])), JSON.parse(JSON.stringify((generic as Record<string, unknown>)[f.name])), f.name);
  }
  // And the reads as columns, which the verifier compares instead: there whenever the rows are.
  const columns = wireReadColumns(fast);
  assert.equal(columns !== undefined, writeWireReads(fast, new RowBinaryWriter(16)) !== undefined);
  if (columns !== undefined) assert.deepEqual(readsOfWireColumns(columns), JSON.parse(JSON.stringify((generic as MeterBatchRecord).reads)));
  return true;
}

/** The wire path's columns as read objects. */
function readsOfWireColumns(c: RecordReadColumns): unknown[] {
  return Array.from({ length: c.count }, (_, i) => ({
    meterId: Buffer.from(c.bytes.buffer, c.bytes.byteOffset, c.bytes.byteLength).toString('utf8', c.meterAt[i], (c.meterAt[i] as number) + (c.meterLength[i] as number)),
    blockStart: c.blockStart[i],
    channel: c.channelSymbols[c.channel[i] as number],
    wh: c.wh[i],
    validationStatus: c.statusSymbols[c.status[i] as number],
    source: c.sourceSymbols[c.source[i] as number],
  }));
}

test('random records: the wire path writes what avsc + the sink write, byte for byte, or leaves the record to them', async () => {
  const type = avro.Type.forSchema(SCHEMA as avro.Schema);
  const wire = wireFor(new Map([[7, type]]));
  const r = seededRandom(19);
  let taken = 0;
  const total = 600;
  for (let i = 0; i < total; i += 1) {
    const record = randomRecord(r, pick(r, [0, 1, 2, 5, 40, 300]));
    if (await samePaths(wire, type, framed(7, type.toBuffer(record)))) taken += 1;
  }
  // Records with an unsafe long are refused by avsc and left to it; most others are taken.
  assert.ok(taken > total / 2, `wire path took ${taken} of ${total}`);
});

test('the rows of a plain batch come from the wire path, and a read to refuse leaves the batch to the generic path', async () => {
  const type = avro.Type.forSchema(SCHEMA as avro.Schema);
  const wire = wireFor(new Map([[1, type]]));
  const record = randomRecord(seededRandom(1), 0);
  Object.assign(record, { discomId: TENANT, receivedAt: 1_700_000_000_000 });
  const read = { meterId: 'MTR-00000001', blockStart: 1_700_000_100_000 - (1_700_000_100_000 % BLOCK_MS), channel: 'EXPORT', wh: 412, validationStatus: 'VALID', source: 'HES' };
  record.reads = [read, { ...read, meterId: 'MTR-é', wh: -(2 ** 47) }];
  assert.equal(await samePaths(wire, type, framed(1, type.toBuffer(record))), true);
  const batch = (await wire.decode(framed(1, type.toBuffer(record)))) as MeterBatchRecord;
  assert.equal(sinkBytes(batch).rows, 2);
  record.reads = [read, { ...read, blockStart: read.blockStart + 60_000 }];
  assert.equal(await samePaths(wire, type, framed(1, type.toBuffer(record))), true);
  assert.equal(sinkBytes(await wire.decode(framed(1, type.toBuffer(record)))).rows, 1);
  // Another tenant's topic: one dead letter, from the generic path's rule.
  assert.equal(await samePaths(wire, type, framed(1, type.toBuffer(record)), 'TPDDL-DL'), true);
});

test('arrays written in several blocks, with and without byte sizes, read as avsc reads them', async () => {
  const type = avro.Type.forSchema(SCHEMA as avro.Schema);
  const wire = wireFor(new Map([[3, type]]));
  const fields = (type as unknown as { fields: { name: string; type: avro.Type }[] }).fields;
  const readType = avro.Type.forSchema((SCHEMA.fields.find((f) => f.name === 'reads')?.type as { items: avro.Schema }).items);
  const long = avro.Type.forSchema('long');
  const record = randomRecord(seededRandom(5), 7);
  Object.assign(record, { discomId: TENANT, receivedAt: 5 });
  const items = (record.reads as unknown[]).map((x) => readType.toBuffer(x));
  const blocks = Buffer.concat([
    long.toBuffer(-3), long.toBuffer(items.slice(0, 3).reduce((n, b) => n + b.length, 0)), ...items.slice(0, 3),
    long.toBuffer(4), ...items.slice(3),
    long.toBuffer(0),
  ]);
  const body = Buffer.concat(fields.map((f) => (f.name === 'reads' ? blocks : f.type.toBuffer(record[f.name]))));
  assert.equal(await samePaths(wire, type, framed(3, body)), true);
  // A negative string length (zig-zag 1 = -1) is refused by avsc and left to it.
  const negative = Buffer.from(items[0] as Buffer);
  negative[0] = 1;
  const bad = Buffer.concat(fields.map((f) => (f.name === 'reads' ? Buffer.concat([long.toBuffer(1), negative, long.toBuffer(0)]) : f.type.toBuffer(record[f.name]))));
  assert.throws(() => type.fromBuffer(bad));
  assert.equal(await wire.decode(framed(3, bad)), undefined);
  // A block count the bytes cannot hold (a read takes at least 6) is refused before anything is sized by it.
  const huge = Buffer.concat(fields.map((f) => (f.name === 'reads' ? Buffer.concat([long.toBuffer(50_000_000), ...items, long.toBuffer(0)]) : f.type.toBuffer(record[f.name]))));
  assert.throws(() => type.fromBuffer(huge));
  const before = process.memoryUsage().arrayBuffers;
  assert.equal(await wire.decode(framed(3, huge)), undefined);
  assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024, 'no columns sized by the claimed count');
});

test('bytes avsc refuses are left to the generic path: truncated, trailing, a bad enum index, an unsafe long', async () => {
  const type = avro.Type.forSchema(SCHEMA as avro.Schema);
  const wire = wireFor(new Map([[4, type]]));
  const record = randomRecord(seededRandom(9), 3);
  Object.assign(record, { discomId: TENANT, receivedAt: 5, rejected: [], batchRoot: null, readCount: null });
  const good = framed(4, type.toBuffer(record));
  assert.notEqual(await wire.decode(good), undefined);
  for (let cut = 5; cut < good.length; cut += 1) assert.equal(await wire.decode(good.subarray(0, cut)), undefined, `cut at ${cut}`);
  assert.equal(await wire.decode(Buffer.concat([good, Buffer.from([0])])), undefined);
  // The last read's source is the byte before rejected (0), batchRoot (0) and readCount (0).
  const badEnum = Buffer.from(good);
  badEnum[badEnum.length - 4] = 40;
  assert.throws(() => type.fromBuffer(badEnum.subarray(5)));
  assert.equal(await wire.decode(badEnum), undefined);
  // 2^52 is safe, but takes 8 bytes: avsc reads it, the wire path leaves it to avsc.
  const long = framed(4, type.toBuffer({ ...record, reads: (record.reads as object[]).map((x, i) => (i === 1 ? { ...x, wh: 2 ** 52 } : x)) }));
  assert.equal(await wire.decode(long), undefined, 'an 8-byte long is left to avsc');
  assert.equal(await wire.decode(Buffer.from([1, 0, 0, 0, 4, 0])), undefined, 'no magic byte');
});

test('writer schemas: another header is read by avsc, another read record or channel symbol leaves the path', async () => {
  const older = { ...SCHEMA, fields: SCHEMA.fields.filter((f) => f.name !== 'batchRoot' && f.name !== 'readCount') };
  const readsField = SCHEMA.fields.find((f) => f.name === 'reads') as { type: { items: Schema } };
  const items = readsField.type.items;
  const withItems = (fieldsOf: (fs: Schema['fields']) => Schema['fields']) => ({ ...SCHEMA, fields: SCHEMA.fields.map((f) => (f.name === 'reads' ? { ...f, type: { type: 'array', items: { ...items, fields: fieldsOf(items.fields) } } } : f)) });
  const moreStatuses = withItems((fs) => fs.map((f) => (f.name === 'validationStatus' ? { ...f, type: { type: 'enum', name: 'ValidationStatus', symbols: ['VALID', 'ESTIMATED', 'MANUAL', 'SUSPECT', 'REJECTED', 'PROVISIONAL'] } } : f)));
  const extraField = withItems((fs) => [...fs, { name: 'quality', type: 'int', default: 0 }]);
  const otherChannel = withItems((fs) => fs.map((f) => (f.name === 'channel' ? { ...f, type: { type: 'enum', name: 'Channel', symbols: ['IMPORT', 'EXPORT', 'NET'] } } : f)));
  const readsFirst = { ...SCHEMA, fields: [SCHEMA.fields.find((f) => f.name === 'reads'), ...SCHEMA.fields.filter((f) => f.name !== 'reads')] };

  assert.notEqual(planOf(avro.Type.forSchema(older as avro.Schema)), undefined);
  assert.notEqual(planOf(avro.Type.forSchema(moreStatuses as avro.Schema)), undefined);
  assert.equal(planOf(avro.Type.forSchema(extraField as avro.Schema)), undefined);
  assert.equal(planOf(avro.Type.forSchema(otherChannel as avro.Schema)), undefined);
  assert.equal(planOf(avro.Type.forSchema(readsFirst as avro.Schema)), undefined);
  class DateType extends avro.types.LogicalType {
    override _fromValue(v: number): Date {
      return new Date(v);
    }
    override _toValue(d: Date): number {
      return +d;
    }
  }
  assert.equal(planOf(avro.Type.forSchema(SCHEMA as avro.Schema, { logicalTypes: { 'timestamp-millis': DateType }, wrapUnions: true })), undefined, 'receivedAt read as a Date');

  const r = seededRandom(23);
  for (const [id, schema] of [[11, older], [12, moreStatuses]] as const) {
    const type = avro.Type.forSchema(schema as avro.Schema);
    const wire = wireFor(new Map([[id, type]]));
    for (let i = 0; i < 50; i += 1) {
      const record = randomRecord(r, 20);
      if (id === 12) (record.reads as { validationStatus: string }[])[0]!.validationStatus = 'PROVISIONAL';
      await samePaths(wire, type, framed(id, type.toBuffer(record)));
    }
  }
  const extra = avro.Type.forSchema(extraField as avro.Schema);
  assert.equal(await wireFor(new Map([[13, extra]])).decode(framed(13, extra.toBuffer(randomRecord(r, 3)))), undefined);
  assert.equal(await wireFor(new Map()).decode(framed(14, Buffer.alloc(3))), undefined, 'a schema the registry does not give');
});
