/**
 * One-rule mutations of the IES MeterData v0.6 fixtures (testdata/ies-meterdata-v0.6), each
 * breaking (or deliberately keeping) exactly one rule of the reference validator or of ours.
 * Declarative: a mutation is a list of edits at JSON paths, so the corpus is reproducible and
 * reviewable. `expect` is our verdict; `differs` marks where the reference validator's
 * verdict is deliberately not ours (docs/ingest.md, "Conformance", lists each by id).
 */
import type { ErrorCode } from '@ies/errors';

export type JsonPath = readonly (string | number)[];

export type Edit =
  | { readonly op: 'set'; readonly path: JsonPath; readonly value: unknown }
  | { readonly op: 'delete'; readonly path: JsonPath }
  | { readonly op: 'push'; readonly path: JsonPath; readonly value: unknown }
  /** Appends a deep copy of the value found at `from` to the array at `path`. */
  | { readonly op: 'copy'; readonly from: JsonPath; readonly path: JsonPath };

/** The reference validator's verdict: VALID, INVALID (it lists errors) or CRASH (a Python traceback). */
export type ReferenceVerdict = 'VALID' | 'INVALID' | 'CRASH';

export interface Mutation {
  /** `<fixture>~<what>`, stable: the reference verdicts file and docs/ingest.md refer to it. */
  readonly id: string;
  /** Fixture path under testdata/ies-meterdata-v0.6/. */
  readonly source: string;
  /** The rule of the conformance table (docs/ingest.md) the mutation exercises. */
  readonly rule: string;
  readonly change: string;
  readonly edits: readonly Edit[];
  /** Meter id → IS 15959 category known to the registry (the reference reads it from MeterCategories.json). */
  readonly meterCategories?: Readonly<Record<string, string>>;
  readonly expect: ErrorCode | 'VALID';
  readonly differs?: { readonly reference: ReferenceVerdict; readonly why: string };
}

const set = (path: JsonPath, value: unknown): Edit => ({ op: 'set', path, value });
const del = (path: JsonPath): Edit => ({ op: 'delete', path });
const push = (path: JsonPath, value: unknown): Edit => ({ op: 'push', path, value });

const IP = 'examples/IntervalProfile.json';
const IPE = 'examples/IntervalProfile_Elaborated.json';
const DP = 'examples/DailyProfile.json';
const DPE = 'examples/DailyProfile_Elaborated.json';
const MP = 'examples/MonthlyProfile.json';
const EP = 'examples/EventProfile.json';
const INST = 'examples/InstantaneousProfile.json';
const MMBE = 'examples/MultiMeterBulkDataset_Elaborated.json';

/** Descriptors of the first set of the first (DESCRIPTOR) profile. */
const PD: JsonPath = [0, 'payloadDescriptorSets', 0, 'payloadDescriptors'];
const SEQ: JsonPath = [0, 'payloadDescriptorSets', 0, 'compactSequences', 0, 'sequenceItems'];
const SM_654321 = 'did:web:discom.example:assets:meter:DISCOM-SM-2025-654321';

export const MUTATIONS: readonly Mutation[] = [
  // Schema (structural validation against schema.json).
  { id: 'IntervalProfile~schema-no-meterRefs', source: IP, rule: 'schema', change: 'delete the IntervalProfile meterRefs', edits: [del([1, 'meterRefs'])], expect: 'IES_ERR_METERDATA_SCHEMA' },
  { id: 'IntervalProfile_Elaborated~schema-value-string', source: IPE, rule: 'schema', change: 'a reading value "4.62" as a string', edits: [set([1, 'intervals', 0, 'readings', 0, 'value'], '4.62')], expect: 'IES_ERR_METERDATA_SCHEMA' },
  { id: 'MonthlyProfile~schema-openingValue-string', source: MP, rule: 'schema', change: 'openingValue "18432.5" as a string', edits: [set([1, 'readings', 0, 'openingValue'], '18432.5')], expect: 'IES_ERR_METERDATA_SCHEMA', differs: { reference: 'CRASH', why: 'after the schema error it still runs the usage math and subtracts a string (TypeError)' } },
  { id: 'IntervalProfile~schema-non-object-profile', source: IP, rule: 'schema', change: 'append the number 42 to the profile array', edits: [push([], 42)], expect: 'IES_ERR_METERDATA_SCHEMA', differs: { reference: 'CRASH', why: 'after the schema error it calls .get() on the number (AttributeError)' } },
  { id: 'DailyProfile~schema-interval-id-string', source: DP, rule: 'schema', change: 'interval id "1" as a string', edits: [set([1, 'intervals', 1, 'id'], '1')], expect: 'IES_ERR_METERDATA_SCHEMA', differs: { reference: 'CRASH', why: 'after the schema error it compares "1" <= 0 (TypeError)' } },

  // Descriptor present and referenced (the reference's checks before its numbered rules).
  { id: 'MonthlyProfile~no-descriptor-profile', source: MP, rule: 'descriptor present', change: 'delete the PayloadDescriptorProfile', edits: [del([0])], expect: 'IES_ERR_METERDATA_DESCRIPTOR_MISSING' },
  { id: 'EventProfile~no-set-ref', source: EP, rule: 'descriptor set reference', change: 'delete the EventProfile payloadDescriptorSetRef', edits: [del([1, 'payloadDescriptorSetRef'])], expect: 'IES_ERR_METERDATA_DESCRIPTOR_REF' },
  { id: 'InstantaneousProfile~unknown-set-ref', source: INST, rule: 'descriptor set reference', change: 'payloadDescriptorSetRef names no set', edits: [set([1, 'payloadDescriptorSetRef'], 'NoSuchSet')], expect: 'IES_ERR_METERDATA_DESCRIPTOR_REF' },
  { id: 'IntervalProfile~unknown-sequence-ref', source: IP, rule: 'descriptor set reference', change: 'compactSequenceRef names no sequence', edits: [set([1, 'compactSequenceRef'], 'NoSuchSeq')], expect: 'IES_ERR_METERDATA_DESCRIPTOR_REF' },
  { id: 'MonthlyProfile~reading-not-in-set', source: MP, rule: 'descriptor set reference', change: 'delete the kVAh imp descriptor its reading uses', edits: [del([...PD, 1])], expect: 'IES_ERR_METERDATA_DESCRIPTOR_REF' },
  { id: 'IntervalProfile~sequence-item-not-declared', source: IP, rule: 'descriptor set reference', change: 'delete the kWh exp block descriptor its sequence item uses', edits: [del([...PD, 1])], expect: 'IES_ERR_METERDATA_DESCRIPTOR_REF' },
  { id: 'IntervalProfile~duplicate-set-name', source: IP, rule: 'descriptor set reference', change: 'a second PayloadDescriptorProfile with the same set name', edits: [{ op: 'copy', from: [0], path: [] }], expect: 'IES_ERR_METERDATA_DESCRIPTOR_REF', differs: { reference: 'VALID', why: 'the last set of a name silently wins; a reference to it is ambiguous' } },

  // Rule 1: reading type resolution.
  { id: 'IntervalProfile_Elaborated~unknown-reading-type', source: IPE, rule: '1 reading type', change: 'reading "kWh imp blk"', edits: [set([1, 'intervals', 0, 'readings', 0, 'readingType'], 'kWh imp blk')], expect: 'IES_ERR_METERDATA_READING_TYPE_UNKNOWN' },
  { id: 'IntervalProfile~descriptor-label-unknown', source: IP, rule: '1 reading type', change: 'descriptor readingType "Import energy per block" with obis 1.0.1.29.0.255 kept', edits: [set([...PD, 0, 'readingType'], 'Import energy per block')], expect: 'IES_ERR_METERDATA_READING_TYPE_UNKNOWN' },
  { id: 'DailyProfile~sequence-item-unknown', source: DP, rule: '1 reading type', change: 'sequence item "kvarh Q9"', edits: [set([...SEQ, 2, 'readingType'], 'kvarh Q9')], expect: 'IES_ERR_METERDATA_READING_TYPE_UNKNOWN' },
  { id: 'MonthlyProfile~reading-by-obis', source: MP, rule: '1 reading type', change: 'a reading named by OBIS 1.0.1.8.0.255 where its descriptor uses the label kWh imp', edits: [set([1, 'readings', 0, 'readingType'], '1.0.1.8.0.255')], expect: 'VALID' },

  // Rule 2: profile type restriction.
  { id: 'MonthlyProfile~block-register-in-monthly', source: MP, rule: '2 profile type', change: 'declare and send kWh imp block in a MonthlyProfile', edits: [push(PD, { readingType: 'kWh imp block' }), push([1, 'readings'], { readingType: 'kWh imp block', value: 1 })], expect: 'IES_ERR_METERDATA_PROFILE_TYPE' },

  // Rule 3: descriptor consistency.
  { id: 'IntervalProfile~descriptor-obis', source: IP, rule: '3 descriptor consistency', change: 'kWh imp block descriptor with obis 1.0.2.29.0.255', edits: [set([...PD, 0, 'obis'], '1.0.2.29.0.255')], expect: 'IES_ERR_METERDATA_DESCRIPTOR_CONFLICT' },
  { id: 'IntervalProfile~descriptor-name', source: IP, rule: '3 descriptor consistency', change: 'descriptor name "Import energy"', edits: [set([...PD, 0, 'name'], 'Import energy')], expect: 'IES_ERR_METERDATA_DESCRIPTOR_CONFLICT' },
  { id: 'IntervalProfile~descriptor-unit', source: IP, rule: '3 descriptor consistency', change: 'descriptor unit kVAh on kWh imp block', edits: [set([...PD, 0, 'unit'], 'kVAh')], expect: 'IES_ERR_METERDATA_DESCRIPTOR_CONFLICT' },
  { id: 'IntervalProfile~descriptor-flowDirection', source: IP, rule: '3 descriptor consistency', change: 'descriptor flowDirection EXPORT on kWh imp block', edits: [set([...PD, 0, 'flowDirection'], 'EXPORT')], expect: 'IES_ERR_METERDATA_DESCRIPTOR_CONFLICT' },
  { id: 'MonthlyProfile~descriptor-category', source: MP, rule: '3 descriptor consistency', change: 'kWh TZ1 descriptor with category energyCumulative', edits: [set([...PD, 4, 'category'], 'energyCumulative')], expect: 'IES_ERR_METERDATA_DESCRIPTOR_CONFLICT' },
  { id: 'IntervalProfile~descriptor-mode-unsupported', source: IP, rule: '3 descriptor consistency', change: 'reportedMode READING on kWh imp block (supportedModes: USAGE)', edits: [set([...PD, 0, 'reportedMode'], 'READING')], expect: 'IES_ERR_METERDATA_DESCRIPTOR_CONFLICT', differs: { reference: 'VALID', why: 'it does not check reportedMode against supportedModes; a block register "read" as a meter reading would be misread' } },
  { id: 'InstantaneousProfile~unit-PF-on-power-factor', source: INST, rule: '3 descriptor consistency', change: 'unit PF on PF_R, whose IES unit is empty', edits: [set([...PD, 6, 'unit'], 'PF')], expect: 'VALID', differs: { reference: 'INVALID', why: 'it compares "PF" with the empty unit of codes.json, although schema.json offers PF and NONE for exactly these quantities' } },

  // Rule 4: arity of compact rows and column types.
  { id: 'IntervalProfile~row-short', source: IP, rule: '4 arity', change: 'a row with one payload for a two-item sequence', edits: [del([1, 'intervals', 1, 'payloads', 1])], expect: 'IES_ERR_METERDATA_ARITY' },
  { id: 'IntervalProfile~value-column-string', source: IP, rule: '4 arity', change: 'a value column holding "4.85"', edits: [set([1, 'intervals', 1, 'payloads', 0], '4.85')], expect: 'IES_ERR_METERDATA_ARITY' },
  { id: 'DailyProfile~occurredAt-not-a-date', source: DP, rule: '4 arity', change: 'an occurredAt column holding "19:30"', edits: [set([1, 'intervals', 0, 'payloads', 4], '19:30')], expect: 'IES_ERR_METERDATA_ARITY', differs: { reference: 'VALID', why: 'it accepts any string in an occurredAt column; schema.json makes occurredAt a date-time' } },
  { id: 'IntervalProfile~override-index-out-of-range', source: IP, rule: '4 arity', change: 'an override naming descriptorIndex 5 of a two-column row', edits: [set([1, 'intervals', 2, 'overrides', 0, 'descriptorIndex'], 5)], expect: 'IES_ERR_METERDATA_ARITY', differs: { reference: 'VALID', why: 'it does not read overrides; a status for a column that does not exist is lost' } },

  // Rule 5: cumulative monotonicity.
  { id: 'DailyProfile~cumulative-decrease', source: DP, rule: '5 monotonicity', change: 'kWh imp 1005.2 then 1004', edits: [set([1, 'intervals', 2, 'payloads', 0], 1004)], expect: 'IES_ERR_METERDATA_CUMULATIVE_DECREASE' },
  { id: 'DailyProfile~cumulative-negative', source: DP, rule: '5 monotonicity', change: 'kWh imp -1 in the first row', edits: [set([1, 'intervals', 0, 'payloads', 0], -1)], expect: 'IES_ERR_METERDATA_CUMULATIVE_DECREASE' },
  { id: 'DailyProfile_Elaborated~cumulative-decrease', source: DPE, rule: '5 monotonicity', change: 'the same decrease in the elaborated form', edits: [set([1, 'intervals', 2, 'readings', 0, 'value'], 1004)], expect: 'IES_ERR_METERDATA_CUMULATIVE_DECREASE', differs: { reference: 'VALID', why: 'it checks monotonicity in compact rows only; the same data refused compact passes elaborated' } },

  // Rule 6: time order.
  { id: 'DailyProfile~ids-not-increasing', source: DP, rule: '6 time order', change: 'interval ids 0, 1, 1', edits: [set([1, 'intervals', 2, 'id'], 1)], expect: 'IES_ERR_METERDATA_INTERVAL_ORDER' },
  { id: 'IntervalProfile_Elaborated~ids-not-increasing', source: IPE, rule: '6 time order', change: 'interval ids 0, 1, 1 in the elaborated form', edits: [set([1, 'intervals', 2, 'id'], 1)], expect: 'IES_ERR_METERDATA_INTERVAL_ORDER', differs: { reference: 'VALID', why: 'it checks id order in compact rows only; two intervals with one id would be two reads of one block' } },

  // Rule 7: usage math.
  { id: 'MonthlyProfile~usage-mismatch', source: MP, rule: '7 usage math', change: 'kWh imp value 412.6 for 18845 − 18432.5 = 412.5', edits: [set([1, 'readings', 0, 'value'], 412.6)], expect: 'IES_ERR_METERDATA_USAGE_MISMATCH' },
  { id: 'MonthlyProfile~usage-within-tolerance', source: MP, rule: '7 usage math', change: 'kWh imp value 412.500005, within 1e-5', edits: [set([1, 'readings', 0, 'value'], 412.500005)], expect: 'VALID' },
  { id: 'MonthlyProfile~usage-float-noise', source: MP, rule: '7 usage math', change: 'value 0.3 = 0.4 − 0.1 (0.30000000000000004 in floats)', edits: [set([1, 'readings', 0, 'value'], 0.3), set([1, 'readings', 0, 'openingValue'], 0.1), set([1, 'readings', 0, 'closingValue'], 0.4)], expect: 'VALID' },
  { id: 'MonthlyProfile~bounds-in-reading-mode', source: MP, rule: '7 usage math', change: 'descriptor reportedMode READING for a reading with opening/closing values', edits: [set([...PD, 0, 'reportedMode'], 'READING')], expect: 'IES_ERR_METERDATA_USAGE_MISMATCH' },
  { id: 'MonthlyProfile~opening-without-closing', source: MP, rule: '7 usage math', change: 'delete closingValue, keep openingValue', edits: [del([1, 'readings', 0, 'closingValue'])], expect: 'IES_ERR_METERDATA_USAGE_MISMATCH', differs: { reference: 'VALID', why: 'it checks the math only when both bounds are there; half a usage interval is not a usage figure' } },
  { id: 'IntervalProfile_Elaborated~usage-mismatch-block-register', source: IPE, rule: '7 usage math', change: 'kWh imp block value 4.62 with bounds 100 → 104', edits: [set([1, 'intervals', 0, 'readings', 0, 'openingValue'], 100), set([1, 'intervals', 0, 'readings', 0, 'closingValue'], 104)], expect: 'IES_ERR_METERDATA_USAGE_MISMATCH', differs: { reference: 'VALID', why: 'it applies the math to CUMULATIVE registers only; this value becomes settled energy, so it must agree with its own bounds' } },

  // reportedMode inside an elaborated reading.
  { id: 'MonthlyProfile~reportedMode-in-reading', source: MP, rule: 'reportedMode in reading', change: 'reportedMode USAGE inside a reading', edits: [set([1, 'readings', 2, 'reportedMode'], 'USAGE')], expect: 'IES_ERR_METERDATA_READING_MODE' },

  // allowedAttributes.
  { id: 'MonthlyProfile~occurredAt-on-energy', source: MP, rule: 'allowedAttributes', change: 'occurredAt on the kWh imp reading', edits: [set([1, 'readings', 0, 'occurredAt'], '2026-04-30T23:59:00+05:30')], expect: 'IES_ERR_METERDATA_ATTRIBUTE_NOT_ALLOWED' },
  { id: 'InstantaneousProfile~openingValue-on-voltage', source: INST, rule: 'allowedAttributes', change: 'openingValue on V_R', edits: [set([1, 'readings', 0, 'openingValue'], 230)], expect: 'IES_ERR_METERDATA_ATTRIBUTE_NOT_ALLOWED' },
  { id: 'MonthlyProfile~timePeriod-on-reading', source: MP, rule: 'allowedAttributes', change: 'a timePeriod on the kWh exp reading', edits: [set([1, 'readings', 2, 'timePeriod'], { start: '2026-04-01T00:00:00+05:30', duration: 'P1M' })], expect: 'VALID', differs: { reference: 'INVALID', why: 'schema.json declares timePeriod on Reading, but the reference allows intervalPeriod (which Reading does not declare) instead' } },
  { id: 'DailyProfile~occurredAt-column-for-energy', source: DP, rule: 'allowedAttributes', change: 'the occurredAt column moved from MD kW to kWh imp', edits: [set([...SEQ, 4, 'readingType'], 'kWh imp')], expect: 'IES_ERR_METERDATA_ATTRIBUTE_NOT_ALLOWED', differs: { reference: 'VALID', why: 'it applies allowedAttributes to elaborated readings only; the compact form says the same thing' } },

  // Readings in arrays the profile type does not declare.
  { id: 'EventProfile~unknown-reading-in-undeclared-readings', source: EP, rule: 'undeclared arrays', change: 'readings [kWh imp blk] on an EventProfile', edits: [set([1, 'readings'], [{ readingType: 'kWh imp blk', value: 1 }])], expect: 'IES_ERR_METERDATA_READING_TYPE_UNKNOWN' },
  { id: 'MonthlyProfile~unknown-reading-in-undeclared-intervals', source: MP, rule: 'undeclared arrays', change: 'intervals[0].readings [kWh imp blk] on a MonthlyProfile', edits: [set([1, 'intervals'], [{ id: 0, readings: [{ readingType: 'kWh imp blk', value: 1 }] }])], expect: 'IES_ERR_METERDATA_READING_TYPE_UNKNOWN' },
  { id: 'MonthlyProfile~decrease-in-undeclared-intervals', source: MP, rule: 'undeclared arrays', change: 'intervals with kWh TZ1 10 then 9 on a MonthlyProfile', edits: [set([1, 'intervals'], [{ id: 0, readings: [{ readingType: 'kWh TZ1', value: 10 }] }, { id: 1, readings: [{ readingType: 'kWh TZ1', value: 9 }] }])], expect: 'IES_ERR_METERDATA_CUMULATIVE_DECREASE', differs: { reference: 'VALID', why: 'it validates those readings one by one but checks monotonicity in compact rows only (as in DailyProfile_Elaborated~cumulative-decrease)' } },

  // Rule 8: meter category.
  { id: 'IntervalProfile_Elaborated~registry-category-A', source: IPE, rule: '8 meter category', change: 'the registry (MeterCategories.json) says category A; kWh imp block is for D1–D4', edits: [], meterCategories: { [SM_654321]: 'A' }, expect: 'IES_ERR_METERDATA_METER_CATEGORY' },
  { id: 'IntervalProfile_Elaborated~registry-category-D2', source: IPE, rule: '8 meter category', change: 'the registry says category D2', edits: [], meterCategories: { [SM_654321]: 'D2' }, expect: 'VALID' },
  { id: 'IntervalProfile~registry-category-A', source: IP, rule: '8 meter category', change: 'category A, compact form', edits: [], meterCategories: { [SM_654321]: 'A' }, expect: 'IES_ERR_METERDATA_METER_CATEGORY', differs: { reference: 'VALID', why: 'it checks categories on elaborated readings only; the compact form carries the same reading types' } },
  { id: 'MultiMeterBulkDataset_Elaborated~customer-category-A', source: MMBE, rule: '8 meter category', change: 'the CustomerProfile in the document gives METER-GENUS-01 category A', edits: [set([1, 'meters', 0, 'meterCategory'], 'A')], expect: 'IES_ERR_METERDATA_METER_CATEGORY', differs: { reference: 'VALID', why: 'it reads categories only from a MeterCategories.json beside the file, never from the CustomerProfile the document carries' } },

  // Not ingestible (ours only: the reference has no notion of ingest).
  { id: 'IntervalProfile~duration-PT60M', source: IP, rule: 'not ingestible', change: 'PT60M blocks', edits: [set([1, 'intervalPeriod', 'duration'], 'PT60M')], expect: 'IES_ERR_METERDATA_NOT_INGESTIBLE', differs: { reference: 'VALID', why: 'valid IES, but the node stores 15-minute blocks and has no rule to split an hour' } },
  { id: 'IntervalProfile~duration-PT5M', source: IP, rule: 'not ingestible', change: 'PT5M blocks', edits: [set([1, 'intervalPeriod', 'duration'], 'PT5M')], expect: 'IES_ERR_METERDATA_NOT_INGESTIBLE', differs: { reference: 'VALID', why: 'valid IES, but 5-minute values would need summing across payloads the node does not do' } },
  {
    id: 'IntervalProfile~status-only-register', source: IP, rule: 'not ingestible', change: 'kWh imp block sent only as a validationStatus column',
    edits: [set([...SEQ, 0, 'attribute'], 'validationStatus'), ...[0, 1, 2, 3].map((k) => set([1, 'intervals', k, 'payloads', 0], 'VALID'))],
    expect: 'IES_ERR_METERDATA_NOT_INGESTIBLE', differs: { reference: 'VALID', why: 'valid IES, but a status without a value is no energy to store' },
  },
];

function parentOf(doc: unknown, path: JsonPath): { parent: Record<string | number, unknown>; key: string | number } {
  let node = doc as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const key = path[path.length - 1];
  if (node === undefined || node === null || typeof node !== 'object' || key === undefined) throw new Error(`no JSON path ${JSON.stringify(path)}`);
  return { parent: node, key };
}

function nodeAt(doc: unknown, path: JsonPath): unknown {
  let node = doc;
  for (const key of path) node = (node as Record<string | number, unknown>)[key];
  return node;
}

/** Applies a mutation's edits to a deep copy of the fixture document. */
export function applyMutation(fixture: unknown, mutation: Mutation): unknown {
  const doc = structuredClone(fixture);
  for (const edit of mutation.edits) {
    if (edit.op === 'push' || edit.op === 'copy') {
      const target = nodeAt(doc, edit.path);
      if (!Array.isArray(target)) throw new Error(`${mutation.id}: ${JSON.stringify(edit.path)} is not an array`);
      target.push(edit.op === 'push' ? structuredClone(edit.value) : structuredClone(nodeAt(doc, edit.from)));
      continue;
    }
    const { parent, key } = parentOf(doc, edit.path);
    if (edit.op === 'set') parent[key] = structuredClone(edit.value);
    else if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  }
  return doc;
}
