// Mutations of a small IES document: each per-read VEE rule rejects only its read, each
// document-level rule refuses the batch with its own code. Figures are hand-checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IesError, type ErrorCode } from '@ies/errors';
import { normaliseIesMeterData } from './normalise-ies.js';
import { DEFAULT_POLICY, type IngestContext, type IngestPolicy, type MeterInfo } from './types.js';

const M1 = 'did:web:discom.example:assets:meter:M1';
const M2 = 'did:web:discom.example:assets:meter:M2';
const FOREIGN = 'did:web:other.example:assets:meter:F1';

const METERS: Record<string, MeterInfo> = {
  [M1]: { meterId: M1, discomId: 'BRPL-DL', sanctionedLoadW: 5000, derCapacityW: 3000 }, // max 1875 Wh import, 1125 Wh export
  [M2]: { meterId: M2, discomId: 'BRPL-DL', sanctionedLoadW: 4000 }, // max 1500 Wh both ways
  [FOREIGN]: { meterId: FOREIGN, discomId: 'TPDDL-DL', sanctionedLoadW: 5000 },
};

function ctx(policy: Partial<IngestPolicy> = {}): IngestContext {
  return {
    discomId: 'BRPL-DL',
    meters: (id) => METERS[id],
    policy: { ...DEFAULT_POLICY, halfHourProfiles: 'SPLIT_EVEN', nowMs: Date.parse('2026-06-01T00:00:00Z'), ...policy },
  };
}

interface Descriptor { readingType: string; name?: string; reportedMode?: string; unit?: string; obis?: string; multiplier?: number }

const IMP: Descriptor = { readingType: 'kWh imp block', reportedMode: 'USAGE', unit: 'kWh', obis: '1.0.1.29.0.255', multiplier: 1.0 };
const EXP: Descriptor = { readingType: '1.0.2.29.0.255', reportedMode: 'USAGE' };

function descriptorProfile(descriptors: Descriptor[] = [IMP, EXP], items = descriptors.map((d) => ({ readingType: d.readingType }))) {
  return {
    profileType: 'DESCRIPTOR',
    id: 'DESC-1',
    payloadDescriptorSets: [{ name: 'Set', payloadDescriptors: descriptors, compactSequences: [{ name: 'Seq', sequenceItems: items }] }],
  };
}

function intervalProfile(meter: string, start: string, rows: unknown[][], extra: Record<string, unknown> = {}, duration = 'PT15M') {
  return {
    profileType: 'INTERVAL',
    meterRefs: [{ scheme: 'DID', value: meter }],
    payloadDescriptorSetRef: 'Set',
    compactSequenceRef: 'Seq',
    intervalPeriod: { start, duration },
    intervals: rows.map((payloads, id) => ({ id, payloads })),
    ...extra,
  };
}

const T0 = '2026-05-04T09:00:00+05:30'; // 03:30Z
const utc = (iso: string) => Date.parse(iso);

function refused(doc: unknown, code: ErrorCode, message?: RegExp, c = ctx()) {
  assert.throws(() => normaliseIesMeterData(doc, c), (err: unknown) => {
    assert.ok(err instanceof IesError, String(err));
    assert.equal(err.code, code, err.message);
    assert.equal(err.status, 422);
    if (message) assert.match(err.message, message);
    return true;
  });
}

test('a clean PT15M batch: every read accepted, VALID/METER, exact Wh', () => {
  const r = normaliseIesMeterData([descriptorProfile(), intervalProfile(M1, T0, [[1.25, 0], [0.5, 0.125]])], ctx());
  assert.deepEqual(r.rejected, []);
  assert.deepEqual(r.reads, [
    { meterId: M1, blockStart: utc('2026-05-04T03:30:00Z'), channel: 'IMPORT', wh: 1250, validationStatus: 'VALID', source: 'METER' },
    { meterId: M1, blockStart: utc('2026-05-04T03:30:00Z'), channel: 'EXPORT', wh: 0, validationStatus: 'VALID', source: 'METER' },
    { meterId: M1, blockStart: utc('2026-05-04T03:45:00Z'), channel: 'IMPORT', wh: 500, validationStatus: 'VALID', source: 'METER' },
    { meterId: M1, blockStart: utc('2026-05-04T03:45:00Z'), channel: 'EXPORT', wh: 125, validationStatus: 'VALID', source: 'METER' },
  ]);
});

test('misaligned block: only that read is rejected, with the time as sent', () => {
  const profile = intervalProfile(M1, T0, [[1, 0], [1, 0]]);
  profile.intervals[1] = { id: 1, payloads: [1, 0], intervalPeriod: { start: '2026-05-04T09:07:00+05:30', duration: 'PT15M' } } as never;
  const r = normaliseIesMeterData([descriptorProfile(), profile], ctx());
  assert.equal(r.reads.length, 2);
  assert.deepEqual(r.rejected.map((x) => [x.index, x.code, x.path, x.channel]), [
    [2, 'IES_ERR_VEE_BLOCK_MISALIGNED', '[1].intervals[1].payloads[0]', 'IMPORT'],
    [3, 'IES_ERR_VEE_BLOCK_MISALIGNED', '[1].intervals[1].payloads[1]', 'EXPORT'],
  ]);
  assert.equal(r.rejected[0]?.message, 'block start 2026-05-04T09:07:00+05:30 is not on a 15-minute boundary');
  assert.equal(r.rejected[0]?.blockStart, utc('2026-05-04T03:37:00Z'));
  assert.equal(r.rejected[0]?.meterId, M1);
});

test('future block: a block that ends after the node clock is rejected, earlier ones kept', () => {
  const now = utc('2026-05-04T04:10:00Z'); // 09:40+05:30
  const r = normaliseIesMeterData([descriptorProfile([IMP]), intervalProfile(M1, T0, [[1], [1], [1], [1]])], ctx({ nowMs: now }));
  // blocks 09:00, 09:15 end by 09:30 ≤ 09:40; 09:30 ends 09:45 > 09:40; 09:45 too.
  assert.deepEqual(r.reads.map((x) => x.blockStart), [utc('2026-05-04T03:30:00Z'), utc('2026-05-04T03:45:00Z')]);
  assert.deepEqual(r.rejected.map((x) => [x.index, x.code]), [[2, 'IES_ERR_VEE_FUTURE_BLOCK'], [3, 'IES_ERR_VEE_FUTURE_BLOCK']]);
  assert.equal(r.rejected[0]?.message, 'block 2026-05-04T09:30:00+05:30 ends at 2026-05-04T09:45:00+05:30, after the node clock 2026-05-04T09:40:00+05:30');
  // A block ending exactly at now is accepted.
  assert.equal(normaliseIesMeterData([descriptorProfile([IMP]), intervalProfile(M1, T0, [[1]])], ctx({ nowMs: utc('2026-05-04T03:45:00Z') })).reads.length, 1);
});

test('negative energy is rejected, even when it would round to 0 Wh', () => {
  const r = normaliseIesMeterData([descriptorProfile(), intervalProfile(M1, T0, [[-0.5, 0], [1, -0.0004]])], ctx());
  assert.deepEqual(r.rejected.map((x) => [x.index, x.code, x.channel]), [[0, 'IES_ERR_VEE_NEGATIVE', 'IMPORT'], [3, 'IES_ERR_VEE_NEGATIVE', 'EXPORT']]);
  assert.equal(r.rejected[0]?.message, 'IMPORT energy -500 Wh (-0.5 kWh) in block 2026-05-04T09:00:00+05:30 is negative');
  assert.equal(r.reads.length, 2);
});

test('implausible energy: import against sanctioned load, export against DER capacity', () => {
  // M1: 5000 W × 0.25 h × 1.5 = 1875 Wh import; DER 3000 W → 1125 Wh export.
  const r = normaliseIesMeterData([descriptorProfile(), intervalProfile(M1, T0, [[1.875, 1.125], [1.876, 1.126]])], ctx());
  assert.deepEqual(r.reads.map((x) => x.wh), [1875, 1125]);
  assert.deepEqual(r.rejected.map((x) => [x.index, x.code]), [[2, 'IES_ERR_VEE_IMPLAUSIBLE'], [3, 'IES_ERR_VEE_IMPLAUSIBLE']]);
  assert.equal(r.rejected[0]?.message, 'IMPORT energy 1876 Wh in block 2026-05-04T09:15:00+05:30 exceeds the plausible 1875 Wh = sanctioned load 5000 W × 0.25 h × margin 1.5');
  assert.equal(r.rejected[1]?.message, 'EXPORT energy 1126 Wh in block 2026-05-04T09:15:00+05:30 exceeds the plausible 1125 Wh = DER capacity 3000 W × 0.25 h × margin 1.5');
  // M2 has no DER capacity: export is held to the sanctioned load, 4000 W → 1500 Wh.
  const m2 = normaliseIesMeterData([descriptorProfile(), intervalProfile(M2, T0, [[1.5, 1.5], [1.501, 1.501]])], ctx());
  assert.deepEqual(m2.rejected.map((x) => [x.index, x.code]), [[2, 'IES_ERR_VEE_IMPLAUSIBLE'], [3, 'IES_ERR_VEE_IMPLAUSIBLE']]);
  assert.match(m2.rejected[1]?.message ?? '', /1501 Wh .* exceeds the plausible 1500 Wh = sanctioned load 4000 W × 0\.25 h × margin 1\.5$/);
  // The margin is exact decimal arithmetic: 5000 × 1.1 / 4 = 1375.
  const tight = normaliseIesMeterData([descriptorProfile([IMP]), intervalProfile(M1, T0, [[1.375], [1.376]])], ctx({ plausibilityMargin: 1.1 }));
  assert.deepEqual([tight.reads.length, tight.rejected[0]?.code], [1, 'IES_ERR_VEE_IMPLAUSIBLE']);
});

test('duplicates: the first (meter, block, channel) stands, later ones are rejected', () => {
  const r = normaliseIesMeterData([
    descriptorProfile(),
    intervalProfile(M1, T0, [[1, 0], [1, 0]]),
    intervalProfile(M1, '2026-05-04T03:45:00Z', [[1.5, 0]]),
  ], ctx());
  assert.deepEqual(r.reads.map((x) => x.wh), [1000, 0, 1000, 0]);
  assert.deepEqual(r.rejected.map((x) => [x.index, x.code, x.path]), [[4, 'IES_ERR_VEE_DUPLICATE', '[2].intervals[0].payloads[0]'], [5, 'IES_ERR_VEE_DUPLICATE', '[2].intervals[0].payloads[1]']]);
  assert.equal(r.rejected[0]?.message, `meter "${M1}" already has a IMPORT read for block 2026-05-04T03:45:00Z in this batch (read 2); the first stands`);
});

test('a read rejected for another rule does not shadow a later read of the same slot', () => {
  const r = normaliseIesMeterData([descriptorProfile([IMP]), intervalProfile(M1, T0, [[9]]), intervalProfile(M1, T0, [[1]])], ctx());
  assert.deepEqual(r.rejected.map((x) => x.code), ['IES_ERR_VEE_IMPLAUSIBLE']);
  assert.deepEqual(r.reads.map((x) => x.wh), [1000]);
});

test('unknown and foreign meters: their reads are rejected, the others accepted', () => {
  const r = normaliseIesMeterData([
    descriptorProfile([IMP]),
    intervalProfile('M-UNKNOWN', T0, [[1]]),
    intervalProfile(FOREIGN, T0, [[1]]),
    intervalProfile(M2, T0, [[1]]),
  ], ctx());
  assert.deepEqual(r.reads.map((x) => x.meterId), [M2]);
  assert.deepEqual(r.rejected.map((x) => [x.index, x.code, x.message]), [
    [0, 'IES_ERR_VEE_UNKNOWN_METER', 'meter "M-UNKNOWN" is not in the registry'],
    [1, 'IES_ERR_VEE_FOREIGN_METER', `meter "${FOREIGN}" belongs to DISCOM TPDDL-DL, not BRPL-DL`],
  ]);
});

test('a meter registered to another head-end of the DISCOM is refused for this sender', () => {
  const meters = (id: string) => (id === 'M-OWNED' ? { meterId: id, discomId: 'BRPL-DL', sanctionedLoadW: 5000, headEndId: 'HES-A' } : METERS[id]);
  const doc = [descriptorProfile([IMP]), intervalProfile('M-OWNED', T0, [[1]])];
  const other = normaliseIesMeterData(doc, { ...ctx(), meters, senderId: 'HES-B' });
  assert.deepEqual(other.rejected.map((x) => [x.code, x.message]), [['IES_ERR_VEE_FOREIGN_HEADEND', 'meter "M-OWNED" is registered to head-end HES-A, not HES-B']]);
  const own = normaliseIesMeterData(doc, { ...ctx(), meters, senderId: 'HES-A' });
  assert.deepEqual([own.reads.length, own.rejected.length], [1, 0]);
});

test('one rejection per read, by the first rule in order: meter → alignment → future → negative → plausibility', () => {
  const misaligned = '2026-05-04T09:07:00+05:30';
  const r = normaliseIesMeterData([
    descriptorProfile([IMP]),
    intervalProfile('M-UNKNOWN', misaligned, [[-1]]),
    intervalProfile(M1, misaligned, [[-1]]),
    intervalProfile(M1, '2030-01-01T00:00:00Z', [[-1]]),
    intervalProfile(M1, T0, [[-9]]),
  ], ctx());
  assert.deepEqual(r.rejected.map((x) => x.code), ['IES_ERR_VEE_UNKNOWN_METER', 'IES_ERR_VEE_BLOCK_MISALIGNED', 'IES_ERR_VEE_FUTURE_BLOCK', 'IES_ERR_VEE_NEGATIVE']);
});

test('PT30M: REJECT refuses the batch naming the conversion rule; SPLIT_EVEN puts the odd Wh in the first half', () => {
  const doc = [descriptorProfile([IMP]), intervalProfile(M1, T0, [[0.001], [0.003], [0.0045]], {}, 'PT30M')];
  refused(doc, 'IES_ERR_METERDATA_RESOLUTION', /duration PT30M at \[1\]\.intervalPeriod is refused under halfHourProfiles=REJECT; .*SPLIT_EVEN conversion rule/, ctx({ halfHourProfiles: 'REJECT' }));
  const r = normaliseIesMeterData(doc, ctx());
  // 1 Wh → 1 + 0; 3 Wh → 2 + 1; 4.5 Wh → 4 (half-even) → 2 + 2.
  assert.deepEqual(r.reads.map((x) => [x.blockStart - utc('2026-05-04T03:30:00Z'), x.wh, x.validationStatus, x.source]), [
    [0, 1, 'ESTIMATED', 'MDM_COMPUTED'], [900_000, 0, 'ESTIMATED', 'MDM_COMPUTED'],
    [1_800_000, 2, 'ESTIMATED', 'MDM_COMPUTED'], [2_700_000, 1, 'ESTIMATED', 'MDM_COMPUTED'],
    [3_600_000, 2, 'ESTIMATED', 'MDM_COMPUTED'], [4_500_000, 2, 'ESTIMATED', 'MDM_COMPUTED'],
  ]);
});

test('PT30M split keeps a non-VALID status from the source value', () => {
  const profile = intervalProfile(M1, T0, [[1, 0]], {}, 'PT30M');
  profile.intervals[0] = { id: 0, payloads: [1, 0], overrides: [{ descriptorIndex: 1, validationStatus: 'SUSPECT', source: 'HES' }] } as never;
  const r = normaliseIesMeterData([descriptorProfile(), profile], ctx());
  assert.deepEqual(r.reads.map((x) => [x.channel, x.wh, x.validationStatus, x.source]), [
    ['IMPORT', 500, 'ESTIMATED', 'MDM_COMPUTED'], ['IMPORT', 500, 'ESTIMATED', 'MDM_COMPUTED'],
    ['EXPORT', 0, 'SUSPECT', 'MDM_COMPUTED'], ['EXPORT', 0, 'SUSPECT', 'MDM_COMPUTED'],
  ]);
});

test('other durations are not ingestible: 5- and 60-minute blocks have no conversion rule', () => {
  refused([descriptorProfile([IMP]), intervalProfile(M1, T0, [[1]], {}, 'PT1H')], 'IES_ERR_METERDATA_NOT_INGESTIBLE', /duration PT1H at \[1\]\.intervalPeriod is not ingestible: the node stores 15-minute blocks and converts only PT15M, and PT30M under SPLIT_EVEN/);
  refused([descriptorProfile([IMP]), intervalProfile(M1, T0, [[1]], {}, 'PT5M')], 'IES_ERR_METERDATA_NOT_INGESTIBLE', /duration PT5M/);
  refused([descriptorProfile([IMP]), intervalProfile(M1, T0, [[1]], {}, 'P1D')], 'IES_ERR_METERDATA_NOT_INGESTIBLE');
  // Under REJECT, PT30M is a policy refusal (RESOLUTION), PT60M still not ingestible.
  refused([descriptorProfile([IMP]), intervalProfile(M1, T0, [[1]], {}, 'PT60M')], 'IES_ERR_METERDATA_NOT_INGESTIBLE', undefined, ctx({ halfHourProfiles: 'REJECT' }));
  // PT900S is fifteen minutes written differently.
  assert.equal(normaliseIesMeterData([descriptorProfile([IMP]), intervalProfile(M1, T0, [[1]], {}, 'PT900S')], ctx()).reads.length, 1);
});

test('overrides set validationStatus and source of their payload column (PT15M keeps them as sent)', () => {
  const profile = intervalProfile(M1, T0, [[1, 0], [1, 0]]);
  profile.intervals[1] = { id: 1, payloads: [1, 0], overrides: [{ descriptorIndex: 0, validationStatus: 'ESTIMATED', source: 'ESTIMATED' }] } as never;
  const r = normaliseIesMeterData([descriptorProfile(), profile], ctx());
  assert.deepEqual(r.reads.map((x) => [x.channel, x.validationStatus, x.source]), [
    ['IMPORT', 'VALID', 'METER'], ['EXPORT', 'VALID', 'METER'], ['IMPORT', 'ESTIMATED', 'ESTIMATED'], ['EXPORT', 'VALID', 'METER'],
  ]);
});

test('elaborated readings carry their own validationStatus and source', () => {
  const profile = {
    ...intervalProfile(M1, T0, []),
    compactSequenceRef: undefined,
    intervals: [{ id: 0, readings: [{ readingType: 'kWh imp block', value: 0.25, validationStatus: 'MANUAL', source: 'MANUAL' }, { readingType: 'kWh exp block', value: 0.5 }] }],
  };
  const r = normaliseIesMeterData([descriptorProfile(), profile], ctx());
  assert.deepEqual(r.reads.map((x) => [x.channel, x.wh, x.validationStatus, x.source]), [['IMPORT', 250, 'MANUAL', 'MANUAL'], ['EXPORT', 500, 'VALID', 'METER']]);
});

test('elaborated overrides name the reading by position; profile-level readings use their timePeriod', () => {
  const profile = {
    ...intervalProfile(M1, T0, []),
    compactSequenceRef: undefined,
    intervals: [{ id: 0, readings: [{ readingType: 'kWh imp block', value: 0.25 }, { readingType: 'kWh exp block', value: 0.5 }], overrides: [{ descriptorIndex: 1, validationStatus: 'SUSPECT' }] }],
    readings: [{ readingType: 'kWh imp block', value: 0.75, timePeriod: { start: '2026-05-04T10:00:00+05:30', duration: 'PT15M' } }],
  };
  const r = normaliseIesMeterData([descriptorProfile(), profile], ctx());
  assert.deepEqual(r.reads.map((x) => [x.blockStart, x.channel, x.wh, x.validationStatus]), [
    [utc('2026-05-04T03:30:00Z'), 'IMPORT', 250, 'VALID'],
    [utc('2026-05-04T03:30:00Z'), 'EXPORT', 500, 'SUSPECT'],
    [utc('2026-05-04T04:30:00Z'), 'IMPORT', 750, 'VALID'],
  ]);
  refused([descriptorProfile(), { ...profile, readings: [{ ...profile.readings[0], timePeriod: { start: T0, duration: 'PT5M' } }] }], 'IES_ERR_METERDATA_NOT_INGESTIBLE', /duration PT5M at \[1\]\.readings\[0\]\.timePeriod/);
  const badOverride = { ...profile, intervals: [{ ...profile.intervals[0], overrides: [{ descriptorIndex: 2 }] }] };
  refused([descriptorProfile(), badOverride], 'IES_ERR_METERDATA_ARITY', /names descriptorIndex 2, but the interval has 2 readings/);
});

test('the descriptor multiplier applies exactly: Wh integers sent as kWh × 0.001', () => {
  const whDescriptor = { ...IMP, multiplier: 0.001 };
  const r = normaliseIesMeterData([descriptorProfile([whDescriptor]), intervalProfile(M1, T0, [[1234], [1]])], ctx());
  assert.deepEqual(r.reads.map((x) => x.wh), [1234, 1]);
  // 0.0005 kWh → 0.5 Wh → 0; 0.0015 kWh → 1.5 Wh → 2 (half to even)
  const rounded = normaliseIesMeterData([descriptorProfile([IMP]), intervalProfile(M1, T0, [[0.0005], [0.0015], [0.0025]])], ctx());
  assert.deepEqual(rounded.reads.map((x) => x.wh), [0, 2, 2]);
});

test('interval ids place blocks: a gap in ids is a gap in time', () => {
  const profile = intervalProfile(M1, T0, [[1], [1.5]]);
  profile.intervals[1] = { id: 3, payloads: [1.5] } as never;
  const r = normaliseIesMeterData([descriptorProfile([IMP]), profile], ctx());
  assert.deepEqual(r.reads.map((x) => x.blockStart), [utc('2026-05-04T03:30:00Z'), utc('2026-05-04T04:15:00Z')]);
});

test('a single-profile document: a CustomerProfile is ignored, an IntervalProfile needs a descriptor', () => {
  const customer = {
    profileType: 'CUSTOMER',
    customer: { id: { scheme: 'DID', value: 'did:web:discom.example:consumers:C1' } },
    serviceDeliveryPoints: [],
    meters: [],
    associations: [],
  };
  assert.deepEqual(normaliseIesMeterData(customer, ctx()), { reads: [], rejected: [], ignoredProfiles: { CustomerProfile: 1 } });
  refused(intervalProfile(M1, T0, [[1]]), 'IES_ERR_METERDATA_DESCRIPTOR_MISSING', /^IntervalProfile needs a PayloadDescriptorProfile/);
});

test('schema: a document that does not match schema.json is refused with ajv errors and their paths', () => {
  refused('meter data', 'IES_ERR_METERDATA_SCHEMA');
  refused([], 'IES_ERR_METERDATA_SCHEMA');
  const bad = [descriptorProfile([IMP]), intervalProfile(M1, '2026-05-04T09:00:00', [[1]])];
  assert.throws(() => normaliseIesMeterData(bad, ctx()), (err: unknown) => {
    assert.ok(err instanceof IesError && err.code === 'IES_ERR_METERDATA_SCHEMA');
    assert.equal(err.message, 'IES MeterData v0.6 schema: /1/intervalPeriod/start must match format "date-time"');
    const errors = err.details?.errors as { instancePath: string }[];
    assert.equal(errors[0]?.instancePath, '/1/intervalPeriod/start');
    return true;
  });
  refused([descriptorProfile([IMP]), { ...intervalProfile(M1, T0, [[1]]), meterRefs: [] }], 'IES_ERR_METERDATA_SCHEMA', /\/1\/meterRefs must NOT have fewer than 1 items/);
  refused([descriptorProfile([IMP]), intervalProfile(M1, T0, [[null]])], 'IES_ERR_METERDATA_SCHEMA', /\/1\/intervals\/0\/payloads\/0 must be number,string,boolean/);
});

test('descriptor references: unknown set, unknown sequence, payloads without sequence, undeclared reading', () => {
  refused([descriptorProfile([IMP]), { ...intervalProfile(M1, T0, [[1]]), payloadDescriptorSetRef: 'Nope' }], 'IES_ERR_METERDATA_DESCRIPTOR_REF', /payloadDescriptorSetRef "Nope" names no descriptor set of this document \(sets: "Set"\)/);
  refused([descriptorProfile([IMP]), { ...intervalProfile(M1, T0, [[1]]), compactSequenceRef: 'Nope' }], 'IES_ERR_METERDATA_DESCRIPTOR_REF', /compactSequenceRef "Nope" names no compact sequence of descriptor set "Set" \(sequences: "Seq"\)/);
  refused([descriptorProfile([IMP]), { ...intervalProfile(M1, T0, [[1]]), compactSequenceRef: undefined }], 'IES_ERR_METERDATA_DESCRIPTOR_REF', /has compact payloads but no compactSequenceRef/);
  refused([descriptorProfile([IMP], [{ readingType: 'kWh exp block' }]), intervalProfile(M1, T0, [[1]])], 'IES_ERR_METERDATA_DESCRIPTOR_REF', /sequence item .*"kWh exp block" of compact sequence "Seq" is not declared in the payloadDescriptors of set "Set"/);
  const elaborated = { ...intervalProfile(M1, T0, []), compactSequenceRef: undefined, intervals: [{ id: 0, readings: [{ readingType: 'kWh exp block', value: 1 }] }] };
  refused([descriptorProfile([IMP]), elaborated], 'IES_ERR_METERDATA_DESCRIPTOR_REF', /readingType "kWh exp block" at \[1\]\.intervals\[0\]\.readings\[0\] is not declared in descriptor set "Set"/);
  refused([descriptorProfile([IMP]), descriptorProfile([EXP]), intervalProfile(M1, T0, [[1]])], 'IES_ERR_METERDATA_DESCRIPTOR_REF', /descriptor set name "Set" at \[1\]\.payloadDescriptorSets\[0\] is already defined at \[0\]\.payloadDescriptorSets\[0\]/);
});

test('reading types must resolve against IES codes.json, OBIS or short label', () => {
  refused([descriptorProfile([{ readingType: 'kWh imp blk', reportedMode: 'USAGE' }]), intervalProfile(M1, T0, [[1]])], 'IES_ERR_METERDATA_READING_TYPE_UNKNOWN', /readingType "kWh imp blk" is neither an OBIS code nor a short label in IES codes.json/);
  const elaborated = { profileType: 'MONTHLY', meterRefs: [{ scheme: 'DID', value: M1 }], payloadDescriptorSetRef: 'Set', timePeriod: { start: T0, duration: 'P1M' }, readings: [{ readingType: '1.0.1.8.9.255', value: 1 }] };
  refused([descriptorProfile([IMP]), elaborated], 'IES_ERR_METERDATA_READING_TYPE_UNKNOWN', /MonthlyProfile \[1\]: readingType "1\.0\.1\.8\.9\.255" at \[1\]\.readings\[0\]/);
});

test('a descriptor readingType resolves by itself: its obis is never used in its place', () => {
  // Once, a label IES does not define produced reads because its obis named a known code.
  const viaObis = { readingType: 'Import energy per block', obis: '1.0.1.29.0.255', reportedMode: 'USAGE' };
  refused([descriptorProfile([viaObis]), intervalProfile(M1, T0, [[1]])], 'IES_ERR_METERDATA_READING_TYPE_UNKNOWN', /readingType "Import energy per block" is neither an OBIS code nor a short label in IES codes.json \(its obis "1\.0\.1\.29\.0\.255" is not used in its place\)/);
});

test('a descriptor name must be the IES codes.json name of its reading type', () => {
  const named = { ...IMP, name: 'Active energy import - block incremental (kWh)' };
  assert.equal(normaliseIesMeterData([descriptorProfile([named]), intervalProfile(M1, T0, [[1]])], ctx()).reads[0]?.wh, 1000);
  refused([descriptorProfile([{ ...IMP, name: 'Import energy' }]), intervalProfile(M1, T0, [[1]])], 'IES_ERR_METERDATA_DESCRIPTOR_CONFLICT', /name "Import energy" contradicts IES codes.json, which gives "Active energy import - block incremental \(kWh\)" for 1\.0\.1\.29\.0\.255/);
});

test('descriptors may not contradict IES codes.json', () => {
  refused([descriptorProfile([{ ...IMP, unit: 'kVAh' }]), intervalProfile(M1, T0, [[1]])], 'IES_ERR_METERDATA_DESCRIPTOR_CONFLICT', /unit "kVAh" contradicts IES codes.json, which gives "kWh" for 1\.0\.1\.29\.0\.255/);
  refused([descriptorProfile([{ ...IMP, obis: '1.0.2.29.0.255' }]), intervalProfile(M1, T0, [[1]])], 'IES_ERR_METERDATA_DESCRIPTOR_CONFLICT', /obis "1\.0\.2\.29\.0\.255" contradicts/);
  refused([descriptorProfile([{ ...IMP, reportedMode: 'READING' }]), intervalProfile(M1, T0, [[1]])], 'IES_ERR_METERDATA_DESCRIPTOR_CONFLICT', /reportedMode "READING" contradicts IES codes.json, which gives \["USAGE"\]/);
  refused([descriptorProfile([{ readingType: 'kWh exp block', flowDirection: 'IMPORT' } as Descriptor]), intervalProfile(M1, T0, [[1]])], 'IES_ERR_METERDATA_DESCRIPTOR_CONFLICT', /flowDirection "IMPORT"/);
});

test('profile-type restriction: block registers only in INTERVAL, cumulative registers never there', () => {
  const daily = { profileType: 'DAILY', meterRefs: [{ scheme: 'DID', value: M1 }], payloadDescriptorSetRef: 'Set', compactSequenceRef: 'Seq', intervalPeriod: { start: T0, duration: 'P1D' }, intervals: [{ id: 0, payloads: [1] }] };
  refused([descriptorProfile([IMP]), daily], 'IES_ERR_METERDATA_PROFILE_TYPE', /"kWh imp block" \(1\.0\.1\.29\.0\.255, energyIncremental\) .* is not permitted in DAILY profiles; IES codes.json allows it in INTERVAL$/);
});

test('arity and column types of compact payloads', () => {
  refused([descriptorProfile(), intervalProfile(M1, T0, [[1, 0], [1]])], 'IES_ERR_METERDATA_ARITY', /\[1\]\.intervals\[1\] \(id 1\) has 1 payloads, but compact sequence "Seq" has 2 items/);
  refused([descriptorProfile(), intervalProfile(M1, T0, [[1, '0']])], 'IES_ERR_METERDATA_ARITY', /payload \[1\]\.intervals\[0\]\.payloads\[1\] is the value of "1\.0\.2\.29\.0\.255" and must be a number, got "0"/);
  const withStatus = descriptorProfile([IMP], [{ readingType: 'kWh imp block' }, { readingType: 'kWh imp block', attribute: 'validationStatus' } as never]);
  refused([withStatus, intervalProfile(M1, T0, [[1, 'FINE']])], 'IES_ERR_METERDATA_ARITY', /must be one of VALID, ESTIMATED, MANUAL, SUSPECT, REJECTED, got "FINE"/);
  assert.equal(normaliseIesMeterData([withStatus, intervalProfile(M1, T0, [[1, 'SUSPECT']])], ctx()).reads[0]?.validationStatus, 'SUSPECT');
  const profile = intervalProfile(M1, T0, [[1, 0]]);
  profile.intervals[0] = { id: 0, payloads: [1, 0], overrides: [{ descriptorIndex: 2, validationStatus: 'ESTIMATED' }] } as never;
  refused([descriptorProfile(), profile], 'IES_ERR_METERDATA_ARITY', /override 0 names descriptorIndex 2, but the row has 2 payload columns \(0…1\)/);
});

test('an occurredAt column must hold an RFC 3339 date-time', () => {
  const md = [{ readingType: 'MD kW', reportedMode: 'USAGE' }];
  const seq = [{ readingType: 'MD kW' }, { readingType: 'MD kW', attribute: 'occurredAt' } as never];
  const daily = (when: unknown) => ({ profileType: 'DAILY', meterRefs: [{ scheme: 'DID', value: M1 }], payloadDescriptorSetRef: 'Set', compactSequenceRef: 'Seq', intervalPeriod: { start: T0, duration: 'P1D' }, intervals: [{ id: 0, payloads: [8.42, when] }] });
  assert.deepEqual(normaliseIesMeterData([descriptorProfile(md, seq), daily('2026-05-04T19:30:00+05:30')], ctx()).ignoredProfiles, { DailyProfile: 1 });
  refused([descriptorProfile(md, seq), daily('19:30')], 'IES_ERR_METERDATA_ARITY', /is the occurredAt of "MD kW" and must be an RFC 3339 date-time with offset, got "19:30"/);
});

test('interval ids must strictly increase', () => {
  const profile = intervalProfile(M1, T0, [[1], [1], [1]]);
  profile.intervals[2] = { id: 1, payloads: [1] } as never;
  refused([descriptorProfile([IMP]), profile], 'IES_ERR_METERDATA_INTERVAL_ORDER', /interval ids must strictly increase, but \[1\]\.intervals\[2\] has id 1 after id 1/);
});

test('cumulative registers in READING mode: never negative, may stay level', () => {
  const cumulative = [{ readingType: 'kWh imp', reportedMode: 'READING' }];
  const daily = (values: number[]) => ({ profileType: 'DAILY', meterRefs: [{ scheme: 'DID', value: M1 }], payloadDescriptorSetRef: 'Set', compactSequenceRef: 'Seq', intervalPeriod: { start: T0, duration: 'P1D' }, intervals: values.map((v, id) => ({ id, payloads: [v] })) });
  assert.deepEqual(normaliseIesMeterData([descriptorProfile(cumulative), daily([5, 5, 6])], ctx()).ignoredProfiles, { DailyProfile: 1 });
  refused([descriptorProfile(cumulative), daily([-1, 5])], 'IES_ERR_METERDATA_CUMULATIVE_DECREASE', /reads -1 at interval id 0 .*cannot be negative/);
  refused([descriptorProfile(cumulative), daily([1000.1, 1000.0999])], 'IES_ERR_METERDATA_CUMULATIVE_DECREASE', /decreased from 1000\.1 at interval id 0 to 1000\.0999 at interval id 1/);
});

test('usage math: both bounds, USAGE mode only, value = closing − opening within 0.00001', () => {
  const monthly = (reading: Record<string, unknown>, mode = 'USAGE') => [
    { profileType: 'DESCRIPTOR', id: 'D', payloadDescriptorSets: [{ name: 'Set', payloadDescriptors: [{ readingType: 'kWh imp', reportedMode: mode }] }] },
    { profileType: 'MONTHLY', meterRefs: [{ scheme: 'DID', value: M1 }], payloadDescriptorSetRef: 'Set', timePeriod: { start: T0, duration: 'P1M' }, readings: [{ readingType: 'kWh imp', ...reading }] },
  ];
  // 19137.2 − 18715.4 = 421.8 exactly in decimal (421.80000000000291 in floats).
  assert.deepEqual(normaliseIesMeterData(monthly({ value: 421.8, openingValue: 18715.4, closingValue: 19137.2 }), ctx()).ignoredProfiles, { MonthlyProfile: 1 });
  refused(monthly({ value: 421.81, openingValue: 18715.4, closingValue: 19137.2 }), 'IES_ERR_METERDATA_USAGE_MISMATCH', /usage value 421\.81, but closingValue 19137\.2 − openingValue 18715\.4 = 421\.8 \(tolerance 0\.00001\)$/);
  // The reference validator's tolerance: a difference of 0.00001 passes, 0.000011 does not.
  assert.deepEqual(normaliseIesMeterData(monthly({ value: 421.80001, openingValue: 18715.4, closingValue: 19137.2 }), ctx()).ignoredProfiles, { MonthlyProfile: 1 });
  assert.deepEqual(normaliseIesMeterData(monthly({ value: 0.3, openingValue: 0.1, closingValue: 0.4 }), ctx()).ignoredProfiles, { MonthlyProfile: 1 });
  refused(monthly({ value: 421.800011, openingValue: 18715.4, closingValue: 19137.2 }), 'IES_ERR_METERDATA_USAGE_MISMATCH', /usage value 421\.800011/);
  refused(monthly({ value: 1, openingValue: 1 }), 'IES_ERR_METERDATA_USAGE_MISMATCH', /has openingValue 1 but no closingValue/);
  refused(monthly({ value: 1, openingValue: 1, closingValue: 2 }, 'READING'), 'IES_ERR_METERDATA_USAGE_MISMATCH', /belong to USAGE mode only; it is reported in READING mode \(per its payload descriptor\)/);
});

test('an invalid policy is a configuration error', () => {
  assert.throws(() => normaliseIesMeterData([], ctx({ plausibilityMargin: 0 })), (err: unknown) => err instanceof IesError && err.code === 'IES_ERR_CONFIG_INVALID' && /plausibilityMargin 0/.test(err.message));
  assert.throws(() => normaliseIesMeterData([], ctx({ halfHourProfiles: 'SPLIT' as never })), (err: unknown) => err instanceof IesError && err.code === 'IES_ERR_CONFIG_INVALID');
});

test('DEFAULT_POLICY refuses PT30M until a head-end opts into SPLIT_EVEN, margin 1.5', () => {
  assert.deepEqual(DEFAULT_POLICY, { halfHourProfiles: 'REJECT', plausibilityMargin: 1.5 });
  assert.ok(Object.isFrozen(DEFAULT_POLICY));
});

test('before 1970: blocks before the epoch are rejected per read, the rest of the profile kept', () => {
  const r = normaliseIesMeterData([descriptorProfile([IMP]), intervalProfile(M1, '1970-01-01T05:00:00+05:30', [[1], [1], [1], [1]])], ctx({}));
  assert.deepEqual(r.rejected.map((x) => [x.index, x.code]), [[0, 'IES_ERR_VEE_BEFORE_EPOCH'], [1, 'IES_ERR_VEE_BEFORE_EPOCH']]);
  assert.deepEqual(r.reads.map((x) => x.blockStart), [0, 15 * 60_000]);
});
