// The IES MeterData v0.6 vector files (testdata/ies-meterdata-v0.6, MIT, see ATTRIBUTION.md):
// every example normalises without a rejected read, every invalid_* validation case is
// refused with the code of its rule, and compact and elaborated forms agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { IesError } from '@ies/errors';
import { iesMeterDataFixtures } from '@ies/testing';
import { normaliseIesMeterData } from './normalise-ies.js';
import type { IngestContext, MeterInfo, NormalisedRead } from './types.js';
import { VALIDATION_CASES } from '../conformance/corpus.js';

const TESTDATA = iesMeterDataFixtures();
const EXAMPLES = new URL('examples/', TESTDATA);
const CASES = new URL('validation-cases/', TESTDATA);

function load(dir: URL, name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, dir), 'utf8'));
}

function jsonFiles(dir: URL): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
}

/** Every identifier value under a "meterRefs" key anywhere in the document. */
function meterIdsOf(doc: unknown): Set<string> {
  const ids = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'meterRefs' && Array.isArray(value)) for (const ref of value) ids.add((ref as { value: string }).value);
        walk(value);
      }
    }
  };
  walk(doc);
  return ids;
}

/** Knows every meter of the document, with a generous 10 MW sanctioned load; clock far ahead. */
function contextFor(doc: unknown): IngestContext {
  const known = meterIdsOf(doc);
  return {
    discomId: 'BRPL-DL',
    meters: (meterId): MeterInfo | undefined => (known.has(meterId) ? { meterId, discomId: 'BRPL-DL', sanctionedLoadW: 10_000_000 } : undefined),
    policy: { nowMs: Date.parse('2100-01-01T00:00:00Z'), halfHourProfiles: 'SPLIT_EVEN', plausibilityMargin: 1.5 },
  };
}

function normalise(name: string) {
  const doc = load(EXAMPLES, name);
  return normaliseIesMeterData(doc, contextFor(doc));
}

const utc = (iso: string) => Date.parse(iso);
const read = (meterId: string, start: string, channel: 'IMPORT' | 'EXPORT', wh: number, validationStatus: NormalisedRead['validationStatus'] = 'ESTIMATED', source: NormalisedRead['source'] = 'MDM_COMPUTED'): NormalisedRead =>
  ({ meterId, blockStart: utc(start), channel, wh, validationStatus, source });

/** Examples with IntervalProfiles, and how many reads each gives under SPLIT_EVEN. */
const WITH_READS: Record<string, number> = {
  'AggregatedFeeder.json': 48 * 2 * 2,
  'AggregatedFeeder_Elaborated.json': 48 * 2 * 2,
  'Anonymised_Telemetry_Response.json': 2 * 4 * 2 * 2,
  'IntervalProfile.json': 4 * 2 * 2,
  'IntervalProfile_Elaborated.json': 4 * 2 * 2,
  'MultiMeterBulkDataset.json': 2 * 2 + 2,
  'MultiMeterBulkDataset_Elaborated.json': 2 * 2 + 2,
  'MultiMeterBulkDatasetShortCodes.json': 2 * 2 + 2,
  'MultiMeterBulkDatasetShortCodes_Elaborated.json': 2 * 2 + 2,
};

test('the fixture folders hold the 25 examples and 6 validation cases', () => {
  assert.equal(jsonFiles(EXAMPLES).length, 25);
  assert.equal(jsonFiles(CASES).length, 6);
});

for (const name of jsonFiles(EXAMPLES)) {
  const expected = WITH_READS[name];
  test(`example ${name}: ${expected === undefined ? 'no interval reads, profiles counted as ignored' : `${expected} reads, none rejected`}`, () => {
    const result = normalise(name);
    assert.deepEqual(result.rejected, []);
    assert.equal(result.reads.length, expected ?? 0);
    if (expected === undefined) assert.ok(Object.keys(result.ignoredProfiles).length > 0);
    for (const r of result.reads) {
      assert.ok(Number.isSafeInteger(r.wh) && r.wh >= 0);
      assert.equal(r.blockStart % 900_000, 0);
    }
  });
}

const DISCOM_METER = 'did:web:discom.example:assets:meter:DISCOM-SM-2025-654321';

test('IntervalProfile.json: 30-minute kWh split into 15-minute Wh, hand-checked', () => {
  const m = DISCOM_METER;
  // 09:00+05:30 = 03:30Z. 4.62 kWh = 4620 Wh → 2310 + 2310; 0.12 kWh = 120 Wh → 60 + 60.
  assert.deepEqual(normalise('IntervalProfile.json').reads, [
    read(m, '2026-05-04T03:30:00Z', 'IMPORT', 2310), read(m, '2026-05-04T03:45:00Z', 'IMPORT', 2310),
    read(m, '2026-05-04T03:30:00Z', 'EXPORT', 0), read(m, '2026-05-04T03:45:00Z', 'EXPORT', 0),
    read(m, '2026-05-04T04:00:00Z', 'IMPORT', 2425), read(m, '2026-05-04T04:15:00Z', 'IMPORT', 2425),
    read(m, '2026-05-04T04:00:00Z', 'EXPORT', 0), read(m, '2026-05-04T04:15:00Z', 'EXPORT', 0),
    read(m, '2026-05-04T04:30:00Z', 'IMPORT', 2605), read(m, '2026-05-04T04:45:00Z', 'IMPORT', 2605),
    read(m, '2026-05-04T04:30:00Z', 'EXPORT', 60), read(m, '2026-05-04T04:45:00Z', 'EXPORT', 60),
    read(m, '2026-05-04T05:00:00Z', 'IMPORT', 2520), read(m, '2026-05-04T05:15:00Z', 'IMPORT', 2520),
    read(m, '2026-05-04T05:00:00Z', 'EXPORT', 0), read(m, '2026-05-04T05:15:00Z', 'EXPORT', 0),
  ]);
  const total = normalise('IntervalProfile.json').reads.filter((r) => r.channel === 'IMPORT').reduce((s, r) => s + r.wh, 0);
  assert.equal(total, 19_720); // 4.62 + 4.85 + 5.21 + 5.04 = 19.72 kWh
});

test('IntervalProfile_Elaborated.json gives the same reads as the compact form', () => {
  assert.deepEqual(normalise('IntervalProfile_Elaborated.json').reads, normalise('IntervalProfile.json').reads);
});

test('AggregatedFeeder.json: feeder totals 40 230 kWh import and 9 600 kWh export', () => {
  const { reads } = normalise('AggregatedFeeder.json');
  const feeder = 'did:web:discom.example:assets:feeder:FDR-11KV-NDL-072';
  assert.deepEqual(reads.slice(0, 2), [read(feeder, '2026-05-17T18:30:00Z', 'IMPORT', 300_000), read(feeder, '2026-05-17T18:45:00Z', 'IMPORT', 300_000)]);
  assert.deepEqual(reads.at(-1), read(feeder, '2026-05-18T18:15:00Z', 'EXPORT', 0));
  const sum = (channel: string) => reads.filter((r) => r.channel === channel).reduce((s, r) => s + r.wh, 0);
  assert.equal(sum('IMPORT'), 40_230_000);
  assert.equal(sum('EXPORT'), 9_600_000);
  assert.deepEqual(normalise('AggregatedFeeder_Elaborated.json').reads, reads);
});

test('MultiMeterBulkDataset.json: PT30M meter split, PT15M meter kept VALID/METER, kVAh counted as ignored', () => {
  const genus = 'did:web:discom.example:assets:meter:METER-GENUS-01';
  const hpl = 'did:web:discom.example:assets:meter:METER-HPL-02';
  const result = normalise('MultiMeterBulkDataset.json');
  assert.deepEqual(result.reads, [
    read(genus, '2026-05-18T04:30:00Z', 'IMPORT', 7250), read(genus, '2026-05-18T04:45:00Z', 'IMPORT', 7250),
    read(genus, '2026-05-18T05:00:00Z', 'IMPORT', 8100), read(genus, '2026-05-18T05:15:00Z', 'IMPORT', 8100),
    read(hpl, '2026-05-18T04:30:00Z', 'IMPORT', 2100, 'VALID', 'METER'), read(hpl, '2026-05-18T04:45:00Z', 'IMPORT', 2400, 'VALID', 'METER'),
  ]);
  assert.deepEqual(result.ignoredProfiles, {
    CustomerProfile: 1, 'IntervalProfile:kVAh imp block': 2, DailyProfile: 2, BillDetails: 2, InstantaneousProfile: 2, EventProfile: 2, AlarmProfile: 1,
  });
  assert.deepEqual(normalise('MultiMeterBulkDataset_Elaborated.json'), result);
});

test('short-label and OBIS forms of the bulk dataset give the same reads (meter ids differ by a suffix)', () => {
  const strip = (r: NormalisedRead) => ({ ...r, meterId: r.meterId.replace(/-(ELABORATED|COMPACT)$/, '') });
  const short = normalise('MultiMeterBulkDatasetShortCodes.json');
  assert.deepEqual(short.reads.map(strip), normalise('MultiMeterBulkDataset.json').reads);
  assert.deepEqual(normalise('MultiMeterBulkDatasetShortCodes_Elaborated.json'), short);
});

test('Anonymised_Telemetry_Response.json: an import-only and an export-only meter', () => {
  const { reads } = normalise('Anonymised_Telemetry_Response.json');
  const sum = (meter: string, channel: string) => reads.filter((r) => r.meterId.endsWith(meter) && r.channel === channel).reduce((s, r) => s + r.wh, 0);
  assert.equal(sum('654321', 'IMPORT'), 4950); // 1.25 + 1.3 + 1.18 + 1.22 kWh
  assert.equal(sum('654321', 'EXPORT'), 0);
  assert.equal(sum('999999', 'EXPORT'), 10_200); // 2.5 + 2.65 + 2.45 + 2.6 kWh
});

test('compact and elaborated daily profiles are validated alike and both ignored', () => {
  for (const [compact, elaborated] of [['DailyProfile.json', 'DailyProfile_Elaborated.json'], ['DailyProfile_ReadingMode.json', 'DailyProfile_ReadingMode_Elaborated.json']] as const) {
    assert.deepEqual(normalise(compact), { reads: [], rejected: [], ignoredProfiles: { DailyProfile: 1 } });
    assert.deepEqual(normalise(elaborated), normalise(compact));
  }
});

test('examples without interval reads: ignoredProfiles per profile shape', () => {
  assert.deepEqual(normalise('Billing_MeterChange.json').ignoredProfiles, { MonthlyProfile: 2, BillDetails: 1 });
  assert.deepEqual(normalise('CustomerProfile.json').ignoredProfiles, { CustomerProfile: 2 });
  assert.deepEqual(normalise('Anonymised_Topology_Example.json').ignoredProfiles, { CustomerProfile: 1 });
  assert.deepEqual(normalise('InstantaneousProfile.json').ignoredProfiles, { InstantaneousProfile: 1 });
});

const EXPECTED_CASES = VALIDATION_CASES;

test('every validation case has an expected outcome', () => {
  assert.deepEqual(jsonFiles(CASES), Object.keys(EXPECTED_CASES).sort());
});

for (const [name, expected] of Object.entries(EXPECTED_CASES)) {
  test(`validation case ${name}: ${expected}`, () => {
    const doc = load(CASES, name);
    if (expected === 'VALID') {
      const result = normaliseIesMeterData(doc, contextFor(doc));
      assert.deepEqual(result.rejected, []);
      // 1.25 and 1.30 kWh over 30 minutes from 10:00+05:30 (04:30Z)
      assert.deepEqual(result.reads, [
        read('TEST-METER', '2026-05-18T04:30:00Z', 'IMPORT', 625), read('TEST-METER', '2026-05-18T04:45:00Z', 'IMPORT', 625),
        read('TEST-METER', '2026-05-18T05:00:00Z', 'IMPORT', 650), read('TEST-METER', '2026-05-18T05:15:00Z', 'IMPORT', 650),
      ]);
      return;
    }
    assert.throws(() => normaliseIesMeterData(doc, contextFor(doc)), (err: unknown) => {
      assert.ok(err instanceof IesError);
      assert.equal(err.code, expected);
      assert.equal(err.status, 422);
      assert.equal(err.retriable, false);
      return true;
    });
  });
}

test('validation case messages name the rule, the location and the numbers', () => {
  const message = (name: string) => {
    const doc = load(CASES, name);
    try {
      normaliseIesMeterData(doc, contextFor(doc));
    } catch (err) {
      return (err as Error).message;
    }
    return '';
  };
  assert.equal(message('invalid_cumulative_decrease.json'), 'DailyProfile [1]: cumulative register "kWh imp" (1.0.1.8.0.255) decreased from 100.5 at interval id 0 to 99.4 at interval id 1 ([1].intervals[1].payloads[0])');
  assert.match(message('invalid_math_consistency.json'), /^BillDetails \[0\] needs a PayloadDescriptorProfile .* but the document has none$/);
  assert.match(message('invalid_missing_descriptor.json'), /^IntervalProfile \[0\] needs a PayloadDescriptorProfile .* but the document has none$/);
  assert.match(message('invalid_missing_descriptor_ref.json'), /^IntervalProfile \[1\] has no payloadDescriptorSetRef; .*\(sets in this document: "IntervalSet"\)$/);
  assert.match(message('invalid_profile_type_mismatch.json'), /"kWh imp" \(1\.0\.1\.8\.0\.255, energyCumulative\) .* is not permitted in INTERVAL profiles; IES codes.json allows it in DAILY, MONTHLY, INSTANTANEOUS$/);
});

test('invalid_math_consistency.json breaks each of the reference\'s rules it names, one after another', () => {
  const doc = load(CASES, 'invalid_math_consistency.json') as Record<string, unknown>[];
  const bill = doc[0] as { payloadDescriptorSetRef?: string; readings: Record<string, unknown>[] };
  const code = (d: unknown) => {
    try {
      normaliseIesMeterData(d, contextFor(d));
    } catch (err) {
      return [(err as IesError).code, (err as Error).message];
    }
    return ['VALID', ''];
  };
  const descriptor = (mode: string) => ({ profileType: 'DESCRIPTOR', id: 'D', payloadDescriptorSets: [{ name: 'Bill', payloadDescriptors: [{ readingType: 'kWh imp', reportedMode: mode }] }] });
  // With a descriptor set but no reference to it: the reference's "payloadDescriptorSetRef is required".
  assert.equal(code([descriptor('USAGE'), bill])[0], 'IES_ERR_METERDATA_DESCRIPTOR_REF');
  const referenced = { ...bill, payloadDescriptorSetRef: 'Bill' };
  // Then the reading's own reportedMode.
  assert.equal(code([descriptor('USAGE'), referenced])[0], 'IES_ERR_METERDATA_READING_MODE');
  const { reportedMode: _mode, ...reading } = bill.readings[0] as Record<string, unknown>;
  const withoutMode = { ...referenced, readings: [reading] };
  // Then the mode: the descriptor says nothing, so kWh imp is in its default READING mode.
  const noMode = { profileType: 'DESCRIPTOR', id: 'D', payloadDescriptorSets: [{ name: 'Bill', payloadDescriptors: [{ readingType: 'kWh imp' }] }] };
  assert.match(code([noMode, { ...withoutMode, readings: [{ ...reading, value: 200 }] }])[1] as string, /belong to USAGE mode only; it is reported in READING mode \(the IES codes.json default\)/);
  // And last the math the case is named for.
  assert.deepEqual(code([descriptor('USAGE'), withoutMode]), ['IES_ERR_METERDATA_USAGE_MISMATCH', 'BillDetails [1]: "kWh imp" at [1].readings[0] has usage value 150, but closingValue 1200 − openingValue 1000 = 200 (tolerance 0.00001)']);
});
