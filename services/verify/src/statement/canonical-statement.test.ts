import { createHash } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from '@ies/crypto';
import { canonicalStatementBytes } from './canonical-statement.js';
import { seal, type StatementContent, type StatementLine } from './content.js';

const text = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');

function line(i: number, extra: Partial<StatementLine> = {}): StatementLine {
  return {
    kind: i % 2 === 0 ? 'P2P_ENERGY' : 'WHEELING', reference: `tx-${i}/c`, intervalStartMs: 1_777_000_000_000 + i, intervalEndMs: i % 5 === 0 ? null : 1_777_000_900_000 + i,
    meterId: i % 7 === 0 ? null : `M${i}`, payer: 'discom:BRPL-DL', payee: `meter:M${i}`, counterparty: `meter:M${i}`,
    quantityWh: i % 3 === 0 ? null : i * 13, ratePaisePerKwh: i % 4 === 0 ? null : 300 + i, amountPaise: i * 7, note: i % 11 === 0 ? `note "${i}"\n\u0001€` : null, ...extra,
  };
}

function content(lines: StatementLine[], more: Partial<StatementContent> = {}): StatementContent {
  return {
    schema: 'ies.settlement.statement/v1', id: 'BRPL-DL:2026-04-26:R0', discomId: 'BRPL-DL', scope: { kind: 'DAY', day: '2026-04-26' }, version: 0, revises: null,
    policy: { policyId: 'p', version: 1, sha256: 'ab'.repeat(32) }, complete: true, lines,
    netPositions: [{ counterparty: 'discom:TPDDL-DL', receivablePaise: 1, payablePaise: 2, netPaise: -1 }], interDiscomPositions: [],
    totals: { receivablePaise: 1, payablePaise: 2, netPaise: -1 }, excluded: [{ reference: 'x', reason: 'CANCELLED' }], pending: [], evidence: [{ origin: 'o', size: 3, rootHash: 'r' }], ...more,
  };
}

test('canonicalStatementBytes: the bytes of canonicalJson, written a part at a time (the buffer grows when lines are longer than guessed)', () => {
  const c = content(Array.from({ length: 20_000 }, (_, i) => line(i)));
  assert.equal(text(canonicalStatementBytes(c)), canonicalJson(c));
  const long = content(Array.from({ length: 3_000 }, (_, i) => line(i, { note: `€${'x'.repeat(2_000)}😀` })));
  assert.equal(text(canonicalStatementBytes(long)), canonicalJson(long));
});

test('canonicalStatementBytes: awkward text, missing-data marks, a calendar run, an empty statement', () => {
  const odd = ['"', '\\', '\u2028', '\ud800', '😀', 'ü', '\t', '', '=1+2', 'a,b'];
  const lines = odd.map((s, i) => line(i, { reference: s, note: s, meterId: s, ...(i % 2 === 0 ? { missingData: `ZERO_${s}` } : {}) }));
  const withRun = content(lines, { run: { name: 'R1', cutoffMs: 1_777_000_000_000, missingData: 'ZERO_PENDING' }, revises: { id: 'x', sha256: 'y' }, complete: false });
  assert.equal(text(canonicalStatementBytes(withRun)), canonicalJson(withRun));
  const empty = content([]);
  assert.equal(text(canonicalStatementBytes(empty)), canonicalJson(empty));
});

test('canonicalStatementBytes: a line of another shape takes the reference path, bytes and errors alike', () => {
  const extra = content([line(1), { ...line(2), zeta: 'extra' } as unknown as StatementLine, line(3)]);
  assert.equal(text(canonicalStatementBytes(extra)), canonicalJson(extra));
  const stringAmount = content([{ ...line(1), amountPaise: '7' } as unknown as StatementLine]);
  assert.equal(text(canonicalStatementBytes(stringAmount)), canonicalJson(stringAmount));
  const nan = content([line(1), { ...line(2), amountPaise: Number.NaN }]);
  assert.throws(() => canonicalStatementBytes(nan), /\$\.lines\[1\]\.amountPaise: NaN cannot be canonicalised/);
  const oddPosition = content([line(1)], { netPositions: [{ counterparty: 'meter:"x"', receivablePaise: 1, payablePaise: 2, netPaise: -1, extra: true } as unknown as StatementContent['netPositions'][number]] });
  assert.equal(text(canonicalStatementBytes(oddPosition)), canonicalJson(oddPosition));
  const manyPositions = content([line(1)], { interDiscomPositions: [{ counterparty: 'discom:A', receivablePaise: 0, payablePaise: 5, netPaise: -5 }, { counterparty: 'discom:😀', receivablePaise: 7, payablePaise: 0, netPaise: 7 }] });
  assert.equal(text(canonicalStatementBytes(manyPositions)), canonicalJson(manyPositions));
  const numbers = content([-1, -0, 0.5, 1e21, -9_007_199_254_740_991, 2 ** 53 + 2, 1e-7].map((n, i) => line(i, { amountPaise: n, quantityWh: n, intervalStartMs: n })));
  assert.equal(text(canonicalStatementBytes(numbers)), canonicalJson(numbers));
  const undefinedMark = content([{ ...line(1), missingData: undefined }]);
  assert.throws(() => canonicalStatementBytes(undefinedMark), /\$\.lines\[0\]\.missingData: a undefined/);
});

test('seal: bytes and sha256 of the canonical JSON, json decoded from them', () => {
  const c = content(Array.from({ length: 5_000 }, (_, i) => line(i)));
  const built = seal(c);
  const reference = canonicalJson(c);
  assert.equal(Buffer.from(built.bytes).toString('utf8'), reference);
  assert.equal(built.sha256, createHashHex(reference));
  assert.equal(built.json, reference);
});

function createHashHex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
