// The compact-CSV fast path (compactCsvColumns + encodeCompactBatch) against the usual one
// (normaliseBatch, batchRootOf, avsc over the schema file) on seeded random batches: the same
// accepted and rejected reads with the same codes and messages, the same batch root and the
// same meter-batches.v1 bytes, and the fast path really taken for every plain batch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TOPICS } from '@ies/contracts';
import { parseStrictJson } from '@ies/crypto';
import { fileEncoderOf } from '@ies/kafka';
import { compactCsvColumns, CSV_HEADER, MeterVerdicts, normaliseBatch, readsOfColumns, type IngestContext, type MeterInfo } from '@ies/meterdata';
import { batchRootOf } from '@ies/notary/batch-root';
import { BLOCK_MS } from '@ies/units';
import { encodeCompactBatch, METER_BATCH_V1_FINGERPRINT } from './compact-batch-record.js';
import { normaliseForIngest } from './submit-batch.js';
import { seededRandom } from '@ies/testing';

const SCHEMA_ID = 70_001;
const NOW = Date.parse('2026-11-20T06:07:11.123Z');
const LAST_BLOCK = Math.floor(NOW / BLOCK_MS) * BLOCK_MS - BLOCK_MS; // ends at or before NOW


/** Meters the fast path takes, and the registry entries behind them (loads at small and large limits). */
const PLAIN_METERS = ['MTR-000001', 'MTR-000002', 'M 3 with spaces', "M~!@#$%^&*()_+=[]{}|;:'<>.?/", 'x', 'a'.repeat(128), 'BENCH-MTR-001-000007', '0', 'MTR-LOW-LOAD', 'MTR-HUGE-LOAD'];
/** Registered meters whose ids the fast path leaves to the usual path (escaped or non-ASCII in JSON). */
const ODD_METERS = ['M"quoted"', 'M\\back', 'mètre-é', 'メーター', 'M😀'];

function registry(discomId: string): Map<string, MeterInfo> {
  const meters = new Map<string, MeterInfo>();
  const loads = [5_000, 4_000, 7, 1, 10_000, 12_345, 3, 1_000_000, 2, 2_000_000_000_000];
  PLAIN_METERS.forEach((meterId, i) => {
    const load = loads[i % loads.length] as number;
    meters.set(meterId, { meterId, discomId, sanctionedLoadW: load, ...(i % 3 === 0 ? { derCapacityW: Math.max(1, Math.floor(load / 2)) } : {}), ...(i % 4 === 1 ? { headEndId: 'HE-1' } : {}) });
  });
  for (const meterId of ODD_METERS) meters.set(meterId, { meterId, discomId, sanctionedLoadW: 5_000 });
  meters.set('MTR-FOREIGN', { meterId: 'MTR-FOREIGN', discomId: 'OTHER-DL', sanctionedLoadW: 5_000 });
  meters.set('MTR-OTHER-HE', { meterId: 'MTR-OTHER-HE', discomId, sanctionedLoadW: 5_000, headEndId: 'HE-2' });
  return meters;
}

function contextFor(discomId: string): IngestContext {
  const meters = registry(discomId);
  return { discomId, senderId: 'HE-1', meters: (id) => meters.get(id), policy: { nowMs: NOW, halfHourProfiles: 'REJECT', plausibilityMargin: 1.5 } };
}

/** floor(W × 0.25 h × 1.5) for the whole-number loads above: the largest Wh VEE accepts. */
const maxWh = (w: number) => Math.floor((w * 3) / 8);

type Kind = 'plain' | 'refused' | 'declined';

/** How a block start may be written: UTC, IST, another offset, with or without milliseconds. */
function blockText(ms: number, rnd: () => number): string {
  const iso = new Date(ms).toISOString();
  const pick = Math.floor(rnd() * 5);
  if (pick === 0) return iso;
  if (pick === 1) return iso.replace('.000Z', 'Z');
  const offset = pick === 2 ? 330 : pick === 3 ? -180 : 0;
  const local = new Date(ms + offset * 60_000).toISOString().slice(0, 19);
  if (offset === 0) return `${local}+00:00`;
  const sign = offset < 0 ? '-' : '+';
  const a = Math.abs(offset);
  return `${local}${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

interface Drawn {
  body: Buffer;
  kind: Kind;
}

/** One batch: plain rows, then perhaps one or more injected refusals or oddities. */
function drawBatch(rnd: () => number, discom: Map<string, MeterInfo>): Drawn {
  const kind: Kind = rnd() < 0.5 ? 'plain' : rnd() < 0.5 ? 'refused' : 'declined';
  const rows: string[] = [];
  const used = new Set<string>();
  const rowCount = 1 + Math.floor(rnd() * (rnd() < 0.1 ? 400 : 40));
  const leadingZeros = rnd() < 0.2;
  for (let r = 0; r < rowCount; r++) {
    const meterId = PLAIN_METERS[Math.floor(rnd() * PLAIN_METERS.length)] as string;
    const info = discom.get(meterId) as MeterInfo;
    // Blocks from 1970-01-01 (the earliest accepted) to the last that has ended, mostly recent.
    const back = rnd() < 0.03 ? Math.floor(LAST_BLOCK / BLOCK_MS) : Math.floor(rnd() * 96 * 3);
    const ms = rnd() < 0.02 ? LAST_BLOCK : LAST_BLOCK - back * BLOCK_MS;
    const key = `${meterId}|${ms}`;
    if (used.has(key)) continue; // a repeated (meter, block) is a duplicate: only where injected
    used.add(key);
    const imp = rnd() < 0.85;
    const exp = !imp || rnd() < 0.5;
    const limit = (w: number) => (rnd() < 0.1 ? maxWh(w) : rnd() < 0.1 ? 0 : Math.floor(rnd() * (maxWh(w) + 1)));
    const wh = (v: number) => (leadingZeros && rnd() < 0.3 ? `00${v}` : String(v));
    const status = ['VALID', 'ESTIMATED', 'MANUAL', 'SUSPECT', 'REJECTED'][rnd() < 0.8 ? 0 : Math.floor(rnd() * 5)] as string;
    rows.push(`${meterId},${blockText(ms, rnd)},${imp ? wh(limit(info.sanctionedLoadW)) : ''},${exp ? wh(limit(info.derCapacityW ?? info.sanctionedLoadW)) : ''},${status}`);
  }
  const at = () => Math.floor(rnd() * (rows.length + 1));
  const insert = (row: string) => rows.splice(at(), 0, row);
  if (kind === 'refused') {
    const n = 1 + Math.floor(rnd() * 3);
    for (let k = 0; k < n; k++) {
      const first = rows[Math.floor(rnd() * rows.length)] as string;
      const refusals = [
        () => insert(first), // a duplicate of every read of a row
        () => insert(`MTR-UNKNOWN,${blockText(LAST_BLOCK, rnd)},1,,VALID`),
        () => insert(`MTR-FOREIGN,${blockText(LAST_BLOCK, rnd)},1,,VALID`),
        () => insert(`MTR-OTHER-HE,${blockText(LAST_BLOCK, rnd)},1,,VALID`),
        () => insert(`MTR-000001,2026-11-19T10:07:00Z,1,,VALID`), // misaligned
        () => insert(`MTR-000001,2026-11-19T10:00:00.0001Z,1,,VALID`), // below the millisecond
        () => insert(`MTR-000001,${new Date(LAST_BLOCK + BLOCK_MS).toISOString()},1,,VALID`), // ends after NOW
        () => insert(`MTR-000001,1969-12-31T23:45:00Z,1,,VALID`), // before 1970
        () => insert(`MTR-000001,${blockText(LAST_BLOCK - 7 * BLOCK_MS * 1000, rnd)},-5,,VALID`), // negative
        () => insert(`MTR-LOW-LOAD,${blockText(LAST_BLOCK - 11 * BLOCK_MS * 1000, rnd)},${maxWh(12_345) + 1},,VALID`), // one above the limit
        () => insert(`MTR-000001,${blockText(LAST_BLOCK, rnd)},4.5,,VALID`), // not an integer
        () => insert(`MTR-000001,${blockText(LAST_BLOCK, rnd)},,,VALID`), // no channel
        () => insert(`MTR-000001,${blockText(LAST_BLOCK, rnd)},1,2`), // four fields
        () => insert(`MTR-000001,${blockText(LAST_BLOCK, rnd)},1,2,VALID,extra`), // six fields
        () => insert(`,${blockText(LAST_BLOCK, rnd)},1,,VALID`), // empty meter id
        () => insert(`MTR-000001,2026-11-19 10:00:00,1,,VALID`), // no offset
        () => insert(`MTR-000001,${blockText(LAST_BLOCK, rnd)},1,,valid`), // status in lower case
        () => rows.splice(Math.floor(rnd() * rows.length), 0, ''), // a blank line before a row
        () => insert(`MTR-000001,${blockText(LAST_BLOCK, rnd)},99999999999999999,,VALID`), // beyond safe integers
        () => insert(`MTR-000001,${blockText(LAST_BLOCK, rnd)},+5,,VALID`),
        () => insert(`MTR-000001,${blockText(LAST_BLOCK, rnd)},1,,VAL\rID`), // a carriage return not before a line feed
      ];
      (refusals[Math.floor(rnd() * refusals.length)] as () => void)();
    }
  }
  let bom = false;
  if (kind === 'declined') {
    const oddities = [
      () => {
        bom = true;
      },
      () => insert(`${ODD_METERS[Math.floor(rnd() * ODD_METERS.length)]},${blockText(LAST_BLOCK - 5 * BLOCK_MS, rnd)},1,2,VALID`),
      () => insert(`MTR-HUGE-LOAD,${blockText(LAST_BLOCK - 9 * BLOCK_MS * 1000, rnd)},-0,,VALID`), // minus zero: 0 Wh
      () => insert(`MTR-HUGE-LOAD,${blockText(LAST_BLOCK - 9 * BLOCK_MS * 1000, rnd)},0000000000000012,,VALID`), // 16 digits
    ];
    (oddities[Math.floor(rnd() * oddities.length)] as () => void)();
  }
  const crlf = rnd() < 0.2;
  const eol = crlf ? '\r\n' : '\n';
  let text = [CSV_HEADER, ...rows].join(eol) + (rnd() < 0.7 ? eol : '');
  if (bom) text = `\uFEFF${text}`;
  return { body: Buffer.from(text, 'utf8'), kind };
}

/**
 * avsc's bytes of a record with its reads array written as the writer writes it: one block with
 * the count negated, then the block's size in bytes, then the items (Avro specification,
 * "Complex Types", Arrays); avsc writes the count alone. `noReads` is avsc's bytes of the same
 * record without reads: the same prefix and, after the reads, the same tail (the array's end
 * marker, an empty rejected array, then the batchRoot string and the readCount int, each a union branch).
 */
function withSizedReadsBlock(avsc: Buffer, noReads: Buffer, batchRoot: string, count: number): Buffer {
  if (count === 0) return avsc;
  const tail = 1 + 1 + 1 + zigzag(batchRoot.length).length + batchRoot.length + 1 + zigzag(count).length;
  const readsAt = noReads.length - tail;
  const items = avsc.subarray(readsAt + zigzag(count).length, avsc.length - tail);
  return Buffer.concat([avsc.subarray(0, readsAt), zigzag(-count), zigzag(items.length), items, avsc.subarray(avsc.length - tail)]);
}

/** An Avro long: zig-zag, then 7 bits a byte, low first. */
function zigzag(n: number): Buffer {
  let z = n >= 0 ? 2 * n : -2 * n - 1;
  const out: number[] = [];
  while (z >= 0x80) {
    out.push((z % 0x80) | 0x80);
    z = Math.floor(z / 0x80);
  }
  out.push(z);
  return Buffer.from(out);
}

test('the schema file is the layout the compact-batch writer writes (update the writer with the schema)', async () => {
  assert.equal((await fileEncoderOf(TOPICS.meterBatches, SCHEMA_ID)).fingerprint, METER_BATCH_V1_FINGERPRINT);
});

test('fast path = usual path on 1,500 seeded random batches: reads, rejections, batch root, Avro bytes', async () => {
  const { encode, decode } = await fileEncoderOf(TOPICS.meterBatches, SCHEMA_ID);
  const taken: Record<Kind, number> = { plain: 0, refused: 0, declined: 0 };
  const seen: Record<Kind, number> = { plain: 0, refused: 0, declined: 0 };
  const codes = new Set<string>();
  for (const discomId of ['BRPL-DL', 'TPDDL-DL', 'DISCOM-ünï "q"']) {
    const ctx = contextFor(discomId);
    // The same context with its admitted meters kept from batch to batch, as ingestContextFor gives it.
    const kept = { ...ctx, meterVerdicts: new MeterVerdicts(discomId, 'HE-1', 1.5) };
    const discom = registry(discomId);
    const rnd = seededRandom(0x5eed + discomId.length);
    for (let b = 0; b < 500; b++) {
      const { body, kind } = drawBatch(rnd, discom);
      const label = `${discomId} batch ${b} (${kind}): ${JSON.stringify(body.toString('utf8')).slice(0, 2000)}`;
      seen[kind] += 1;
      const usual = normaliseBatch('COMPACT_CSV', body, ctx, parseStrictJson);
      for (const r of usual.rejected) codes.add(r.code);
      const ingest = normaliseForIngest('COMPACT_CSV', body, ctx);
      assert.equal(ingest.readCount, usual.reads.length, label);
      assert.deepEqual(ingest.rejected, usual.rejected, label);
      assert.deepEqual(ingest.ignoredProfiles, usual.ignoredProfiles, label);
      const columns = compactCsvColumns(body, ctx);
      assert.deepEqual(compactCsvColumns(body, kept), columns, label);
      assert.equal(ingest.columns !== undefined, columns !== undefined, label);
      if (kind === 'plain') assert.ok(columns !== undefined, `the fast path declined a plain batch: ${label}`);
      if (kind === 'refused') {
        assert.ok(usual.rejected.length > 0, label);
        assert.equal(columns, undefined, label);
      }
      if (columns === undefined) continue;
      taken[kind] += 1;
      assert.equal(usual.rejected.length, 0, label);
      assert.deepEqual(readsOfColumns(columns), usual.reads, label);
      const header = { batchId: `HE-1:${b}`, discomId, headEndId: 'HE-1', receivedAt: NOW + b, bodySha256: 'ab'.repeat(32), signature: `eyJhbGciOiJFZERTQSJ9..sig-${b}`, body };
      const batchRoot = Buffer.from(batchRootOf(discomId, usual.reads)).toString('base64');
      const record = { ...header, format: 'COMPACT_CSV', reads: usual.reads, rejected: usual.rejected, batchRoot, readCount: usual.reads.length };
      const fast = encodeCompactBatch(header, columns, SCHEMA_ID);
      assert.equal(fast.batchRoot, batchRoot, label);
      assert.ok(fast.value.equals(withSizedReadsBlock(encode(record), encode({ ...record, reads: [] }), batchRoot, usual.reads.length)), `Avro bytes differ: ${label}`);
      assert.deepEqual(decode(fast.value), decode(encode(record)), label);
    }
    // Only meters admitted for the head-end were kept: not another DISCOM's, not another head-end's, not unknown ones.
    assert.ok(kept.meterVerdicts.size > 0 && kept.meterVerdicts.size <= PLAIN_METERS.length + ODD_METERS.length, String(kept.meterVerdicts.size));
  }
  // Every kind was drawn often, every plain batch took the fast path, no refused one did.
  assert.equal(taken.plain, seen.plain);
  assert.equal(taken.refused, 0);
  assert.equal(taken.declined, 0);
  assert.ok(seen.plain > 500 && seen.refused > 200 && seen.declined > 200, JSON.stringify(seen));
  for (const code of ['IES_ERR_VEE_DUPLICATE', 'IES_ERR_VEE_UNKNOWN_METER', 'IES_ERR_VEE_FOREIGN_METER', 'IES_ERR_VEE_FOREIGN_HEADEND', 'IES_ERR_VEE_BLOCK_MISALIGNED', 'IES_ERR_VEE_FUTURE_BLOCK', 'IES_ERR_VEE_BEFORE_EPOCH', 'IES_ERR_VEE_NEGATIVE', 'IES_ERR_VEE_IMPLAUSIBLE', 'IES_ERR_VEE_MALFORMED']) {
    assert.ok(codes.has(code), `no batch drew ${code}`);
  }
});

test('a header-only body, a wrong header and a large batch: declined, refused the usual way, and taken', async () => {
  const ctx = contextFor('BRPL-DL');
  assert.equal(compactCsvColumns(Buffer.from(`${CSV_HEADER}\n`), ctx), undefined);
  assert.equal(normaliseForIngest('COMPACT_CSV', Buffer.from(`${CSV_HEADER}\n`), ctx).readCount, 0);
  assert.throws(() => normaliseForIngest('COMPACT_CSV', Buffer.from('meter_id,block_start\nM,1,2\n'), ctx), { code: 'IES_ERR_CSV_HEADER' });
  // 20,000 reads of one meter across 10,000 blocks: the slot set, the buffers growing.
  let text = CSV_HEADER;
  for (let k = 0; k < 10_000; k++) text += `\nMTR-HUGE-LOAD,${new Date(LAST_BLOCK - k * BLOCK_MS).toISOString()},${k},${k * 7},VALID`;
  const body = Buffer.from(text);
  const columns = compactCsvColumns(body, ctx);
  assert.ok(columns !== undefined);
  assert.equal(columns.count, 20_000);
  const reads = normaliseBatch('COMPACT_CSV', body, ctx, parseStrictJson).reads;
  assert.deepEqual(readsOfColumns(columns), reads);
  // Its record: a reads block whose count and byte size (about 600 KB) take three bytes each.
  const { encode, decode } = await fileEncoderOf(TOPICS.meterBatches, SCHEMA_ID);
  const header = { batchId: 'HE-1:large', discomId: 'BRPL-DL', headEndId: 'HE-1', receivedAt: NOW, bodySha256: 'cd'.repeat(32), signature: 'eyJhbGciOiJFZERTQSJ9..sig', body };
  const fast = encodeCompactBatch(header, columns, SCHEMA_ID);
  const record = { ...header, format: 'COMPACT_CSV', reads, rejected: [], batchRoot: fast.batchRoot, readCount: reads.length };
  assert.ok(fast.value.equals(withSizedReadsBlock(encode(record), encode({ ...record, reads: [] }), fast.batchRoot, reads.length)));
  assert.deepEqual(decode(fast.value), decode(encode(record)));
});
