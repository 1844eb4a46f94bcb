// Conformance with the IES reference validator (ies-accelerator, MeterData v0.6): every
// example and validation case as shipped, and every one-rule mutation of them, gets our
// expected verdict, and that verdict agrees with the reference's recorded one
// (reference-verdicts.json, from scripts/reference-verdicts.mjs) except for the cases marked
// `differs`, each of which docs/ingest.md lists with its reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import recorded from './reference-verdicts.json' with { type: 'json' };
import { conformanceCorpus, ourVerdict, type ConformanceCase } from './corpus.js';
import { MUTATIONS } from './mutations.js';

interface RecordedVerdict { sha256: string; verdict: string; errors: string[] }
const REFERENCE = recorded.cases as Record<string, RecordedVerdict>;
const CORPUS = conformanceCorpus();
const INGEST_DOC = readFileSync(new URL('../../../../../docs/ingest.md', import.meta.url), 'utf8');

test('the recorded reference verdicts are for exactly this corpus (re-run scripts/reference-verdicts.mjs after changing it)', () => {
  assert.deepEqual(Object.keys(REFERENCE), CORPUS.map((c) => c.id));
  for (const c of CORPUS) assert.equal(REFERENCE[c.id]?.sha256, c.sha256, `${c.id}: the document changed since its reference verdict was recorded`);
  assert.equal(new Set(CORPUS.map((c) => c.id)).size, CORPUS.length, 'case ids are unique');
});

test('the corpus: 25 examples, 6 validation cases and every mutation, each mutation a real change', () => {
  assert.equal(CORPUS.filter((c) => c.rule === 'example').length, 25);
  assert.equal(CORPUS.filter((c) => c.rule === 'validation case').length, 6);
  assert.equal(CORPUS.length, 31 + MUTATIONS.length);
  for (const m of MUTATIONS) assert.ok(m.edits.length > 0 || m.meterCategories !== undefined, `${m.id} changes nothing`);
});

function describe(c: ConformanceCase): string {
  const reference = REFERENCE[c.id]?.verdict ?? 'not recorded';
  return `${c.id} [${c.rule}]: ours ${c.expect}, reference ${reference}${c.differs ? ` (differs: ${c.differs.why})` : ''}`;
}

for (const c of CORPUS) {
  test(describe(c), () => {
    const ours = ourVerdict(c);
    assert.equal(ours, c.expect, `${c.id}: ${c.change}`);
    const reference = REFERENCE[c.id]?.verdict;
    if (c.differs) {
      // A listed difference must still be one: if the reference changes, so must the table.
      assert.equal(reference, c.differs.reference, `${c.id}: the reference's verdict is no longer ${c.differs.reference}`);
      // A crash is a difference by itself (the reference gives no verdict); otherwise the verdicts must really differ.
      if (reference !== 'CRASH') assert.notEqual(ours === 'VALID', reference === 'VALID', `${c.id} is marked as a difference but both verdicts agree`);
      return;
    }
    assert.equal(ours === 'VALID' ? 'VALID' : 'INVALID', reference, `${c.id}: the reference says ${reference}: ${(REFERENCE[c.id]?.errors ?? []).join(' | ')}`);
  });
}

test('docs/ingest.md lists every case where we deliberately differ from the reference', () => {
  const differing = CORPUS.filter((c) => c.differs);
  assert.ok(differing.length > 0);
  for (const c of differing) assert.ok(INGEST_DOC.includes(`\`${c.id}\``), `${c.id} is not listed in docs/ingest.md`);
});
