// The IES MeterData v0.6 reference-validator rules added at the door (issue 15): descriptors
// for every data profile, reading attributes, undeclared arrays, meter category, not
// ingestible. Each refuses the batch with its own code; hand-made documents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IesError, type ErrorCode } from '@ies/errors';
import { normaliseIesMeterData } from './normalise-ies.js';
import { DEFAULT_POLICY, type IngestContext, type MeterInfo } from './types.js';

const M1 = 'did:web:discom.example:assets:meter:M1';
const T0 = '2026-05-04T09:00:00+05:30';

function ctx(meter: Partial<MeterInfo> = {}): IngestContext {
  return {
    discomId: 'BRPL-DL',
    meters: (id) => (id === M1 ? { meterId: M1, discomId: 'BRPL-DL', sanctionedLoadW: 5000, ...meter } : undefined),
    policy: { ...DEFAULT_POLICY, nowMs: Date.parse('2026-06-01T00:00:00Z') },
  };
}

function outcome(doc: unknown, c = ctx()): { code: ErrorCode | 'VALID'; message: string } {
  try {
    normaliseIesMeterData(doc, c);
    return { code: 'VALID', message: '' };
  } catch (err) {
    assert.ok(err instanceof IesError, String(err));
    assert.equal(err.status, 422);
    return { code: err.code, message: err.message };
  }
}

function refused(doc: unknown, code: ErrorCode, message: RegExp, c = ctx()): void {
  const got = outcome(doc, c);
  assert.equal(got.code, code, got.message);
  assert.match(got.message, message);
}

const descriptor = (payloadDescriptors: Record<string, unknown>[], compactSequences: unknown[] = []) => ({
  profileType: 'DESCRIPTOR',
  id: 'D',
  payloadDescriptorSets: [{ name: 'Set', payloadDescriptors, compactSequences }],
});
const meterRefs = [{ scheme: 'DID', value: M1 }];
const monthly = (readings: Record<string, unknown>[], extra: Record<string, unknown> = {}) =>
  ({ profileType: 'MONTHLY', meterRefs, payloadDescriptorSetRef: 'Set', timePeriod: { start: T0, duration: 'P1M' }, readings, ...extra });
const event = (extra: Record<string, unknown> = {}) => ({
  profileType: 'EVENT', meterRefs, payloadDescriptorSetRef: 'Set', timePeriod: { start: T0, duration: 'P1D' },
  events: [{ timestamp: '2026-05-04T10:00:00+05:30', eventId: 101, eventName: 'POWER_FAIL' }], ...extra,
});
const KWH_IMP = { readingType: 'kWh imp', reportedMode: 'READING' };
const IMP_BLOCK = { readingType: 'kWh imp block', reportedMode: 'USAGE' };
const interval = (readings: Record<string, unknown>[], duration = 'PT15M') =>
  ({ profileType: 'INTERVAL', meterRefs, payloadDescriptorSetRef: 'Set', intervalPeriod: { start: T0, duration }, intervals: [{ id: 0, readings }] });

test('every data profile needs the PayloadDescriptorProfile, not only interval and compact ones', () => {
  refused([monthly([{ readingType: 'kWh imp', value: 5 }])], 'IES_ERR_METERDATA_DESCRIPTOR_MISSING', /^MonthlyProfile \[0\] needs a PayloadDescriptorProfile/);
  refused([event()], 'IES_ERR_METERDATA_DESCRIPTOR_MISSING', /^EventProfile \[0\] needs a PayloadDescriptorProfile/);
  // Customer profiles carry no readings and need none.
  const customer = { profileType: 'CUSTOMER', customer: { id: { scheme: 'DID', value: 'did:web:discom.example:consumers:C1' } }, serviceDeliveryPoints: [], meters: [], associations: [] };
  assert.equal(outcome([customer]).code, 'VALID');
});

test('every data profile names its payloadDescriptorSetRef, and it resolves', () => {
  const { payloadDescriptorSetRef: _ref, ...unreferenced } = event();
  refused([descriptor([KWH_IMP]), unreferenced], 'IES_ERR_METERDATA_DESCRIPTOR_REF', /^EventProfile \[1\] has no payloadDescriptorSetRef; every data profile takes .*\(sets in this document: "Set"\)$/);
  refused([descriptor([KWH_IMP]), event({ payloadDescriptorSetRef: 'Other' })], 'IES_ERR_METERDATA_DESCRIPTOR_REF', /payloadDescriptorSetRef "Other" names no descriptor set/);
  assert.equal(outcome([descriptor([KWH_IMP]), event()]).code, 'VALID');
});

test('reportedMode inside an elaborated reading is refused with its own code', () => {
  refused([descriptor([KWH_IMP]), monthly([{ readingType: 'kWh imp', value: 5, reportedMode: 'READING' }])], 'IES_ERR_METERDATA_READING_MODE', /reading "kWh imp" at \[1\]\.readings\[0\] carries reportedMode "READING"; the mode belongs in its payload descriptor/);
});

test('allowedAttributes of IES codes.json apply to readings and to compact sequence items', () => {
  // occurredAt is allowed on MD kW, not on the kWh imp register.
  refused([descriptor([KWH_IMP]), monthly([{ readingType: 'kWh imp', value: 5, occurredAt: T0 }])], 'IES_ERR_METERDATA_ATTRIBUTE_NOT_ALLOWED', /reading "kWh imp" \(1\.0\.1\.8\.0\.255\) at \[1\]\.readings\[0\] has occurredAt, which IES codes.json does not allow for this reading type \(allowed: value, openingValue, closingValue, validationStatus, source, changeMethod, failCode\)/);
  assert.equal(outcome([descriptor([{ readingType: 'MD kW' }]), monthly([{ readingType: 'MD kW', value: 5, occurredAt: T0 }])]).code, 'VALID');
  // openingValue on an instantaneous voltage.
  const inst = { profileType: 'INSTANTANEOUS', meterRefs, payloadDescriptorSetRef: 'Set', timestamp: T0, readings: [{ readingType: 'V_R', value: 230, openingValue: 229 }] };
  refused([descriptor([{ readingType: 'V_R' }]), inst], 'IES_ERR_METERDATA_ATTRIBUTE_NOT_ALLOWED', /has openingValue/);
  // The compact form: an occurredAt column for a block register.
  const seq = [{ name: 'Seq', sequenceItems: [{ readingType: 'kWh imp block' }, { readingType: 'kWh imp block', attribute: 'occurredAt' }] }];
  const compact = { profileType: 'INTERVAL', meterRefs, payloadDescriptorSetRef: 'Set', compactSequenceRef: 'Seq', intervalPeriod: { start: T0, duration: 'PT15M' }, intervals: [{ id: 0, payloads: [1, T0] }] };
  refused([descriptor([IMP_BLOCK], seq), compact], 'IES_ERR_METERDATA_ATTRIBUTE_NOT_ALLOWED', /compact sequence "Seq" item .*sequenceItems\[1\] is the occurredAt of "kWh imp block"/);
  // A reading's own timing is always allowed (schema.json declares timePeriod on Reading).
  const timed = interval([]);
  assert.equal(normaliseIesMeterData([descriptor([IMP_BLOCK]), { ...timed, readings: [{ readingType: 'kWh imp block', value: 1, timePeriod: { start: T0, duration: 'PT15M' } }] }], ctx()).reads.length, 1);
});

test('readings in arrays the profile type does not declare are validated, not ignored', () => {
  // `readings` on an EventProfile: an unknown reading type is refused.
  refused([descriptor([KWH_IMP]), event({ readings: [{ readingType: 'kWh imp nope', value: 1 }] })], 'IES_ERR_METERDATA_READING_TYPE_UNKNOWN', /EventProfile \[1\]: readingType "kWh imp nope" at \[1\]\.readings\[0\]/);
  // ...and a block register there breaks the profile-type rule (EVENT is not INTERVAL).
  refused([descriptor([IMP_BLOCK]), event({ readings: [{ readingType: 'kWh imp block', value: 1 }] })], 'IES_ERR_METERDATA_PROFILE_TYPE', /not permitted in EVENT profiles/);
  // `intervals[].readings` on a MonthlyProfile: a cumulative register may not decrease.
  const intervals = [{ id: 0, readings: [{ readingType: 'kWh imp', value: 10 }] }, { id: 1, readings: [{ readingType: 'kWh imp', value: 9 }] }];
  refused([descriptor([KWH_IMP]), monthly([], { intervals })], 'IES_ERR_METERDATA_CUMULATIVE_DECREASE', /decreased from 10 at interval id 0 to 9 at interval id 1 \(\[1\]\.intervals\[1\]\.readings\[0\]\)/);
  // `touBuckets` on a DailyProfile: the reading must be declared in the set.
  const daily = { profileType: 'DAILY', meterRefs, payloadDescriptorSetRef: 'Set', intervalPeriod: { start: T0, duration: 'P1D' }, intervals: [], touBuckets: [{ zone: 1, readings: [{ readingType: 'kVAh imp', value: 1 }] }] };
  refused([descriptor([KWH_IMP]), daily], 'IES_ERR_METERDATA_DESCRIPTOR_REF', /"kVAh imp" at \[1\]\.touBuckets\[0\]\.readings\[0\] is not declared in descriptor set "Set"/);
});

const customer = (category: string) => ({
  profileType: 'CUSTOMER',
  customer: { id: { scheme: 'DID', value: 'did:web:discom.example:consumers:C1' } },
  serviceDeliveryPoints: [],
  meters: [{ id: { scheme: 'DID', value: M1 }, meterCategory: category }],
  associations: [],
});

test('meter category (rule 8) from a CustomerProfile in the same document', () => {
  const doc = (category: string) => [descriptor([IMP_BLOCK]), customer(category), interval([{ readingType: 'kWh imp block', value: 1 }])];
  assert.equal(normaliseIesMeterData(doc('D2'), ctx()).reads.length, 1);
  refused(doc('A'), 'IES_ERR_METERDATA_METER_CATEGORY', /readingType "kWh imp block" \(1\.0\.1\.29\.0\.255\) at \[2\]\.intervals\[0\]\.readings\[0\] is not supported for meter ".*:M1" of category A \(CustomerProfile \[1\]\.meters\[0\]\); IES codes.json lists it for D1, D2, D3, D4/);
  // Two CustomerProfiles that disagree on one meter.
  refused([descriptor([IMP_BLOCK]), customer('D1'), customer('D2')], 'IES_ERR_METERDATA_METER_CATEGORY', /CustomerProfile \[2\]\.meters\[0\] gives meter ".*:M1" category D2, but \[1\]\.meters\[0\] gives it D1/);
});

test('meter category (rule 8) from the registry, and a document that contradicts it', () => {
  const doc = [descriptor([IMP_BLOCK]), interval([{ readingType: 'kWh imp block', value: 1 }])];
  assert.equal(normaliseIesMeterData(doc, ctx({ meterCategory: 'D1' })).reads.length, 1);
  refused(doc, 'IES_ERR_METERDATA_METER_CATEGORY', /is not supported for meter ".*:M1" of category B \(registry\)/, ctx({ meterCategory: 'B' }));
  refused([descriptor([IMP_BLOCK]), customer('D2'), doc[1]], 'IES_ERR_METERDATA_METER_CATEGORY', /CustomerProfile \[1\]\.meters\[0\] gives meter ".*:M1" category D2, but the registry has it as category D1/, ctx({ meterCategory: 'D1' }));
  // No category anywhere: the rule has nothing to check.
  assert.equal(normaliseIesMeterData(doc, ctx()).reads.length, 1);
});

test('not ingestible: a block register sent only as a status column', () => {
  const seq = [{ name: 'Seq', sequenceItems: [{ readingType: 'kWh imp block', attribute: 'validationStatus' }] }];
  const compact = { profileType: 'INTERVAL', meterRefs, payloadDescriptorSetRef: 'Set', compactSequenceRef: 'Seq', intervalPeriod: { start: T0, duration: 'PT15M' }, intervals: [{ id: 0, payloads: ['VALID'] }] };
  refused([descriptor([IMP_BLOCK], seq), compact], 'IES_ERR_METERDATA_NOT_INGESTIBLE', /block energy "kWh imp block" at \[1\]\.intervals\[0\]\.payloads\[0\] is not ingestible: it has no value column \(nor openingValue and closingValue\), only a validationStatus/);
});

test('not ingestible: 5- and 60-minute interval profiles', () => {
  for (const duration of ['PT5M', 'PT60M']) {
    refused([descriptor([IMP_BLOCK]), interval([{ readingType: 'kWh imp block', value: 1 }], duration)], 'IES_ERR_METERDATA_NOT_INGESTIBLE', new RegExp(`interval duration ${duration} at \\[1\\]\\.intervalPeriod is not ingestible`));
  }
});
