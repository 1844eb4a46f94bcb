/**
 * The conformance corpus: every IES MeterData v0.6 example and validation case as shipped,
 * then every one-rule mutation of mutations.ts. The test compares our verdict on each with
 * the reference validator's (reference-verdicts.json, recorded by
 * scripts/reference-verdicts.mjs); both read the same cases from here.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { IesError, type ErrorCode } from '@ies/errors';
import { normaliseIesMeterData } from '../domain/normalise-ies.js';
import type { IngestContext } from '../domain/types.js';
import { applyMutation, MUTATIONS, type Mutation, type ReferenceVerdict } from './mutations.js';

/** services/meterdata/testdata/ies-meterdata-v0.6/ (this file runs from dist/src/conformance/). */
export const FIXTURES = new URL('../../../testdata/ies-meterdata-v0.6/', import.meta.url);

export interface ConformanceCase {
  readonly id: string;
  readonly source: string;
  readonly rule: string;
  readonly change: string;
  readonly document: unknown;
  readonly meterCategories: Readonly<Record<string, string>>;
  readonly expect: ErrorCode | 'VALID';
  readonly differs: Mutation['differs'];
  /** SHA-256 of the document's JSON text: ties a recorded reference verdict to this exact input. */
  readonly sha256: string;
}

/**
 * What the validation cases are refused for here (the first rule that fails; the reference lists
 * them all: invalid_math_consistency.json is refused by it for five reasons).
 */
export const VALIDATION_CASES: Readonly<Record<string, ErrorCode | 'VALID'>> = {
  'valid_interval_profile.json': 'VALID',
  'invalid_cumulative_decrease.json': 'IES_ERR_METERDATA_CUMULATIVE_DECREASE',
  'invalid_math_consistency.json': 'IES_ERR_METERDATA_DESCRIPTOR_MISSING',
  'invalid_missing_descriptor.json': 'IES_ERR_METERDATA_DESCRIPTOR_MISSING',
  'invalid_missing_descriptor_ref.json': 'IES_ERR_METERDATA_DESCRIPTOR_REF',
  'invalid_profile_type_mismatch.json': 'IES_ERR_METERDATA_PROFILE_TYPE',
};

function loadFixture(source: string): unknown {
  return JSON.parse(readFileSync(new URL(source, FIXTURES), 'utf8'));
}

export function documentText(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

function sha256(document: unknown): string {
  return createHash('sha256').update(documentText(document)).digest('hex');
}

function caseOf(fields: Omit<ConformanceCase, 'sha256'>): ConformanceCase {
  return { ...fields, sha256: sha256(fields.document) };
}

/** The corpus in a fixed order: examples, validation cases, then the mutations. */
export function conformanceCorpus(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  const files = (dir: string) => readdirSync(new URL(dir, FIXTURES)).filter((f) => f.endsWith('.json')).sort();
  for (const name of files('examples/')) {
    cases.push(caseOf({ id: name.replace(/\.json$/, ''), source: `examples/${name}`, rule: 'example', change: 'as shipped', document: loadFixture(`examples/${name}`), meterCategories: {}, expect: 'VALID', differs: undefined }));
  }
  for (const name of files('validation-cases/')) {
    const expect = VALIDATION_CASES[name];
    if (expect === undefined) throw new Error(`validation case ${name} has no expected verdict in corpus.ts`);
    cases.push(caseOf({ id: name.replace(/\.json$/, ''), source: `validation-cases/${name}`, rule: 'validation case', change: 'as shipped', document: loadFixture(`validation-cases/${name}`), meterCategories: {}, expect, differs: undefined }));
  }
  const fixtures = new Map<string, unknown>();
  for (const m of MUTATIONS) {
    let fixture = fixtures.get(m.source);
    if (fixture === undefined) {
      fixture = loadFixture(m.source);
      fixtures.set(m.source, fixture);
    }
    cases.push(caseOf({ id: m.id, source: m.source, rule: m.rule, change: m.change, document: applyMutation(fixture, m), meterCategories: m.meterCategories ?? {}, expect: m.expect, differs: m.differs }));
  }
  return cases;
}

/** Every identifier value under a "meterRefs" key anywhere in the document. */
function meterIdsOf(doc: unknown, ids = new Set<string>()): Set<string> {
  if (Array.isArray(doc)) for (const d of doc) meterIdsOf(d, ids);
  else if (doc !== null && typeof doc === 'object') {
    for (const [key, value] of Object.entries(doc)) {
      if (key === 'meterRefs' && Array.isArray(value)) for (const ref of value) ids.add(String((ref as { value?: unknown }).value));
      meterIdsOf(value, ids);
    }
  }
  return ids;
}

/**
 * The context the corpus is judged in: every meter of the document registered (10 MW, so no
 * per-read VEE rule fires), with the case's registry categories, SPLIT_EVEN, a clock in 2100.
 */
export function corpusContext(c: ConformanceCase): IngestContext {
  const known = meterIdsOf(c.document);
  return {
    discomId: 'BRPL-DL',
    meters: (meterId) => {
      if (!known.has(meterId)) return undefined;
      const meterCategory = c.meterCategories[meterId];
      return { meterId, discomId: 'BRPL-DL', sanctionedLoadW: 10_000_000, ...(meterCategory === undefined ? {} : { meterCategory }) };
    },
    policy: { nowMs: Date.parse('2100-01-01T00:00:00Z'), halfHourProfiles: 'SPLIT_EVEN', plausibilityMargin: 1.5 },
  };
}

/** Our verdict: VALID (the batch is accepted, whatever VEE says per read) or the refusal's code. */
export function ourVerdict(c: ConformanceCase): ErrorCode | 'VALID' {
  try {
    normaliseIesMeterData(c.document, corpusContext(c));
    return 'VALID';
  } catch (err) {
    if (err instanceof IesError) return err.code;
    throw err;
  }
}

export type { ReferenceVerdict };
