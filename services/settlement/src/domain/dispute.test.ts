// Disputes, hand-worked on the day of statement-runs.test.ts: trade T of BRPL-DL, seller S-1,
// buyer B-1, 10:00–11:00 IST, 4000 Wh at 600 paise/kWh; transaction charge 20 + 20 paise/kWh,
// seller shortfall 800 paise/kWh. R1 settled the seller at 3000 Wh: energy 1800 paise each
// way, charges 60 + 60, shortfall 1000 Wh × 800 = 800 paise. The seller's platform claims
// 4000 Wh (2400 paise each way): B-1 pays 600 more, the DISCOM pays S-1 600 more.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatementRun } from '@ies/verify';
import { SettlementError } from './codes.js';
import { admitDispute, claimedAdjustments } from './dispute-admission.js';
import { decidedAdjustments } from './dispute-decision.js';
import { DISPUTE_SCHEMA, disputeIdOf, matchLines, parseDispute, type DisputeDocument } from './dispute.js';
import { transitionDispute, VALID_DISPUTE_TRANSITIONS } from './dispute-lifecycle.js';
import { disputeTermsProblems, type DisputeTerms } from './dispute-policy.js';
import { checkDecisionStanding, checkRaiseStanding } from './dispute-standing.js';
import type { FinalAllocation } from './final-allocation.js';
import { validatePolicyPack, type PolicyPack } from './policy-pack.js';
import { buildStatement } from './statement.js';
import { statementDiff } from './statement-diff.js';
import type { NormalisedTrade } from './trade.js';

const D = 'BRPL-DL';
const DAY = '2026-04-26';
const START = Date.parse('2026-04-26T04:30:00Z');
const END = START + 3_600_000;
const CUTOFF = Date.parse('2026-05-01T18:30:00Z');
const MINUTE = 60_000;
const TERMS: DisputeTerms = { materialityPaise: 500, types: { READ_VALUE: { deadlineMinutesAfterCutoff: 14 * 1440 }, CHARGE: { deadlineMinutesAfterCutoff: 1440 } } };
const PACK: PolicyPack = {
  policyId: 'BRPL-DL.disputes-test', discomId: D, version: 1, effectiveFrom: '2026-01-01', disputes: TERMS,
  calendar: { runs: [{ name: 'INITIAL', cutoffMinutesAfterDayEnd: 1440, missingData: 'ZERO_PENDING' }, { name: 'R1', cutoffMinutesAfterDayEnd: 5 * 1440, missingData: 'ZERO_PENDING' }] },
  p2p: { wheeling: { buyerPaisePerKwh: 0, sellerPaisePerKwh: 0 }, transactionCharge: { buyerPaisePerKwh: 20, sellerPaisePerKwh: 20 }, sellerShortfall: { treatment: 'FIXED_RATE', ratePaisePerKwh: 800 }, buyerShortfall: { treatment: 'WAIVED' } },
};
const TRADE: NormalisedTrade = {
  tradeId: 'T/c', transactionId: 'T', commitmentId: 'c', contractId: null,
  seller: { meterId: 'S-1', discomId: D, platformId: 'PLAT-1' }, buyer: { meterId: 'B-1', discomId: D, platformId: 'PLAT-1' },
  intervals: [{ startMs: START, endMs: END, quantityWh: 4000, pricePaisePerKwh: 600 }],
  intent: 'CONFIRM', source: { action: 'confirm', messageId: null, timestamp: null },
};
const FINAL: FinalAllocation = {
  tradeId: TRADE.tradeId, sellerDiscomId: D, buyerDiscomId: D, sellerVersion: 1, buyerVersion: 1, sellerStatus: 'COMPLETED', buyerStatus: 'COMPLETED', status: 'COMPLETED',
  intervals: [{ startMs: START, endMs: END, contractedWh: 4000, sellerWh: 3000, buyerWh: 4000, finalWh: 3000, sellerShortfallWh: 1000, buyerShortfallWh: 0, deviationWh: 1000 }],
  evidence: [],
};
const R1: StatementRun = { name: 'R1', cutoffMs: CUTOFF, missingData: 'ZERO_PENDING' };
const r1Built = buildStatement({ discomId: D, scope: { kind: 'DAY', day: DAY }, trades: [{ trade: TRADE, state: 'ALLOCATED', revision: 1 }], finals: [FINAL], run: R1 }, PACK);
const r1 = r1Built.content;

const energy = (meterId: string, payer: string, payee: string, amountPaise: number) => ({ kind: 'P2P_ENERGY', reference: TRADE.tradeId, intervalStartMs: START, meterId, payer, payee, claimed: { quantityWh: 4000, amountPaise } });
const DOC = {
  schema: DISPUTE_SCHEMA, statementId: r1.id, type: 'READ_VALUE', reason: "S-1's export was 4000 Wh: read proofs attached",
  lines: [energy('B-1', 'meter:B-1', 'discom:BRPL-DL', 2400), energy('S-1', 'discom:BRPL-DL', 'meter:S-1', 2400)],
  evidence: [],
};
const codeOf = (f: () => unknown) => {
  try {
    f();
    return 'none';
  } catch (err) {
    return (err as SettlementError).code;
  }
};

test('R1 as stated: 3000 Wh, 1800 paise each way', () => {
  assert.equal(r1.id, `${D}:${DAY}:R1`);
  assert.deepEqual(r1.lines.filter((l) => l.kind === 'P2P_ENERGY').map((l) => [l.meterId, l.payer, l.payee, l.amountPaise]), [['B-1', 'meter:B-1', 'discom:BRPL-DL', 1800], ['S-1', 'discom:BRPL-DL', 'meter:S-1', 1800]]);
});

test('a dispute names lines of the statement; the claims make one adjustment per counterparty', () => {
  const doc = parseDispute(DOC);
  const matched = matchLines(doc, r1);
  assert.deepEqual(matched.map((m) => m.stated.amountPaise), [1800, 1800]);
  // B-1 pays the DISCOM 600 more (+600); the DISCOM pays S-1 600 more (−600).
  assert.deepEqual(claimedAdjustments(D, matched), [{ counterparty: 'meter:B-1', amountPaise: 600 }, { counterparty: 'meter:S-1', amountPaise: -600 }]);
  assert.deepEqual(admitDispute(TERMS, doc, r1, matched, CUTOFF + 14 * 1440 * MINUTE), claimedAdjustments(D, matched));
  assert.match(disputeIdOf(Buffer.from(JSON.stringify(DOC))), /^DSP-[0-9a-f]{20}$/);
});

test('malformed documents and lines the statement does not have are IES_ERR_DISPUTE_INVALID', () => {
  assert.equal(codeOf(() => parseDispute({ ...DOC, extra: 1 })), 'IES_ERR_DISPUTE_INVALID');
  assert.equal(codeOf(() => parseDispute({ ...DOC, type: 'OTHER' })), 'IES_ERR_DISPUTE_INVALID');
  assert.equal(codeOf(() => parseDispute({ ...DOC, lines: [] })), 'IES_ERR_DISPUTE_INVALID');
  assert.equal(codeOf(() => parseDispute({ ...DOC, evidence: [{ kind: 'NO_READ', meterId: 'S-1', blockStart: 'yesterday', channel: 'EXPORT' }] })), 'IES_ERR_DISPUTE_INVALID');
  assert.equal(codeOf(() => matchLines(parseDispute({ ...DOC, lines: [energy('X-9', 'meter:X-9', 'discom:BRPL-DL', 2400)] }), r1)), 'IES_ERR_DISPUTE_INVALID');
  assert.equal(codeOf(() => matchLines(parseDispute({ ...DOC, lines: [{ ...energy('B-1', 'meter:B-1', 'discom:BRPL-DL', 1800), claimed: { quantityWh: 3000, amountPaise: 1800 } }] }), r1)), 'IES_ERR_DISPUTE_INVALID', 'claims the stated figures');
  assert.equal(codeOf(() => matchLines(parseDispute({ ...DOC, lines: [DOC.lines[0], DOC.lines[0]] }), r1)), 'IES_ERR_DISPUTE_INVALID', 'the same line twice');
  // A line settled with reads missing is the next run's to settle.
  const held = buildStatement({ discomId: D, scope: { kind: 'DAY', day: DAY }, trades: [{ trade: TRADE, state: 'ALLOCATED', revision: 1 }], finals: [{ ...FINAL, status: 'INCOMPLETE', sellerStatus: 'INCOMPLETE' }], run: R1 }, PACK).content;
  assert.equal(codeOf(() => matchLines(parseDispute(DOC), held)), 'IES_ERR_DISPUTE_INVALID');
});

test('late by one minute: IES_ERR_DISPUTE_LATE; below the materiality threshold: IES_ERR_DISPUTE_IMMATERIAL; a type the pack does not take: invalid', () => {
  const doc = parseDispute(DOC);
  const matched = matchLines(doc, r1);
  assert.equal(codeOf(() => admitDispute(TERMS, doc, r1, matched, CUTOFF + 14 * 1440 * MINUTE + MINUTE)), 'IES_ERR_DISPUTE_LATE');
  // 499 paise more for B-1 (and for S-1): the most affected position moves 499 < 500.
  const small = parseDispute({ ...DOC, lines: [energy('B-1', 'meter:B-1', 'discom:BRPL-DL', 2299), energy('S-1', 'discom:BRPL-DL', 'meter:S-1', 2299)] });
  assert.equal(codeOf(() => admitDispute(TERMS, small, r1, matchLines(small, r1), CUTOFF)), 'IES_ERR_DISPUTE_IMMATERIAL');
  const exactly = parseDispute({ ...DOC, lines: [energy('B-1', 'meter:B-1', 'discom:BRPL-DL', 2300)] });
  assert.deepEqual(admitDispute(TERMS, exactly, r1, matchLines(exactly, r1), CUTOFF), [{ counterparty: 'meter:B-1', amountPaise: 500 }]);
  const noRead = parseDispute({ ...DOC, type: 'NO_READ' });
  assert.equal(codeOf(() => admitDispute(TERMS, noRead, r1, matchLines(noRead, r1), CUTOFF)), 'IES_ERR_DISPUTE_INVALID');
  assert.equal(codeOf(() => admitDispute(undefined, doc, r1, matched, CUTOFF)), 'IES_ERR_DISPUTE_INVALID');
});

test('standing: the desk on any line, a platform on its trades, an aggregator on its own lines, a counterparty DISCOM towards it; only the desk decides', () => {
  const matched = matchLines(parseDispute(DOC), r1);
  const platforms = (id: string) => (id === TRADE.tradeId ? ['PLAT-1'] : []);
  assert.equal(codeOf(() => checkRaiseStanding({ discomId: D, participantId: 'DESK', role: 'DISCOM' }, D, matched, platforms)), 'none');
  assert.equal(codeOf(() => checkRaiseStanding({ discomId: D, participantId: 'PLAT-1', role: 'PLATFORM' }, D, matched, platforms)), 'none');
  assert.equal(codeOf(() => checkRaiseStanding({ discomId: D, participantId: 'PLAT-2', role: 'PLATFORM' }, D, matched, platforms)), 'IES_ERR_DISPUTE_NO_STANDING');
  assert.equal(codeOf(() => checkRaiseStanding({ discomId: D, participantId: 'AGG-1', role: 'AGGREGATOR' }, D, matched, platforms)), 'IES_ERR_DISPUTE_NO_STANDING');
  assert.equal(codeOf(() => checkRaiseStanding({ discomId: 'TPDDL-DL', participantId: 'DESK-T', role: 'DISCOM' }, D, matched, platforms)), 'IES_ERR_DISPUTE_NO_STANDING');
  assert.equal(codeOf(() => checkRaiseStanding({ discomId: D, participantId: 'HES-1', role: 'HEADEND' }, D, matched, platforms)), 'IES_ERR_DISPUTE_NO_STANDING');
  assert.equal(codeOf(() => checkDecisionStanding({ discomId: D, participantId: 'DESK', role: 'DISCOM' }, D)), 'none');
  assert.equal(codeOf(() => checkDecisionStanding({ discomId: D, participantId: 'PLAT-1', role: 'PLATFORM' }, D)), 'IES_ERR_DISPUTE_NO_STANDING');
  assert.equal(codeOf(() => checkDecisionStanding({ discomId: 'TPDDL-DL', participantId: 'DESK-T', role: 'DISCOM' }, D)), 'IES_ERR_DISPUTE_NO_STANDING');
});

test('lifecycle: RAISED → UNDER_REVIEW → UPHELD | REJECTED, UPHELD → APPLIED; nothing else', () => {
  assert.deepEqual(VALID_DISPUTE_TRANSITIONS, { RAISED: ['UNDER_REVIEW'], UNDER_REVIEW: ['UPHELD', 'REJECTED'], UPHELD: ['APPLIED'], REJECTED: [], APPLIED: [] });
  assert.equal(transitionDispute('d', 'UNDER_REVIEW', 'UPHELD'), 'UPHELD');
  assert.equal(codeOf(() => transitionDispute('d', 'RAISED', 'UPHELD')), 'IES_ERR_DISPUTE_TRANSITION');
  assert.equal(codeOf(() => transitionDispute('d', 'REJECTED', 'APPLIED')), 'IES_ERR_DISPUTE_TRANSITION');
});

test('the upheld dispute in the next run: two adjustment lines citing it, the diff says DISPUTE', () => {
  const doc: DisputeDocument = parseDispute(DOC);
  const id = disputeIdOf(Buffer.from(JSON.stringify(DOC)));
  const adjustments = claimedAdjustments(D, matchLines(doc, r1)).map((a) => ({ ...a, reference: id, reason: `dispute ${id} upheld` }));
  const r2 = buildStatement({ discomId: D, scope: { kind: 'DAY', day: DAY }, trades: [{ trade: TRADE, state: 'ALLOCATED', revision: 1 }], finals: [FINAL], run: { ...R1, name: 'R2' }, adjustments, previous: r1Built }, PACK).content;
  assert.deepEqual(r2.lines.filter((l) => l.kind === 'ADJUSTMENT').map((l) => [l.reference, l.payer, l.payee, l.amountPaise]), [[id, 'meter:B-1', 'discom:BRPL-DL', 600], [id, 'discom:BRPL-DL', 'meter:S-1', 600]]);
  const diff = statementDiff(r1, r2);
  assert.deepEqual(diff.lines.map((l) => [l.change, l.reason, l.kind, l.after?.amountPaise]), [['ADDED', 'DISPUTE', 'ADJUSTMENT', 600], ['ADDED', 'DISPUTE', 'ADJUSTMENT', 600]]);
  assert.deepEqual(diff.netPositions, [{ counterparty: 'meter:B-1', netPaiseDelta: 600 }, { counterparty: 'meter:S-1', netPaiseDelta: -600 }]);
});

test('policy pack: disputes terms are validated with the pack', () => {
  assert.ok(validatePolicyPack(PACK).ok);
  assert.deepEqual(disputeTermsProblems({ materialityPaise: -1, types: { LATE: { deadlineMinutesAfterCutoff: 5 }, CHARGE: { deadline: 1 } } }).map((p) => p.path), ['$.disputes.materialityPaise', '$.disputes.types.LATE', '$.disputes.types.CHARGE.deadline', '$.disputes.types.CHARGE.deadlineMinutesAfterCutoff']);
});

test('upheld in part: the decided figures, between stated and claimed, make the adjustment (2100 of 2400 each way: ±300)', () => {
  const matched = matchLines(parseDispute(DOC), r1);
  assert.deepEqual(decidedAdjustments(D, matched, [{ amountPaise: 2100, quantityWh: 3500 }, { amountPaise: 2100 }]), [{ counterparty: 'meter:B-1', amountPaise: 300 }, { counterparty: 'meter:S-1', amountPaise: -300 }]);
  // Upholding the claims whole is the claim's arithmetic; the stated figure on one line rejects that line's claim.
  assert.deepEqual(decidedAdjustments(D, matched, [{ amountPaise: 2400 }, { amountPaise: 2400 }]), claimedAdjustments(D, matched));
  assert.deepEqual(decidedAdjustments(D, matched, [{ amountPaise: 1800 }, { amountPaise: 2400 }]), [{ counterparty: 'meter:S-1', amountPaise: -600 }]);
  // Beyond the claim, below the stated figure, a quantity outside [3000, 4000], or one figure short: refused.
  assert.equal(codeOf(() => decidedAdjustments(D, matched, [{ amountPaise: 2401 }, { amountPaise: 2100 }])), 'IES_ERR_DISPUTE_INVALID');
  assert.equal(codeOf(() => decidedAdjustments(D, matched, [{ amountPaise: 1799 }, { amountPaise: 2100 }])), 'IES_ERR_DISPUTE_INVALID');
  assert.equal(codeOf(() => decidedAdjustments(D, matched, [{ amountPaise: 2100, quantityWh: 4001 }, { amountPaise: 2100 }])), 'IES_ERR_DISPUTE_INVALID');
  assert.equal(codeOf(() => decidedAdjustments(D, matched, [{ amountPaise: 2100 }])), 'IES_ERR_DISPUTE_INVALID');
});
