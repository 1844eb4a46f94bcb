// Standing on a statement with a trade inside the DISCOM and one towards a DISCOM on another
// node: BRPL-DL's meter S-1 sells 4000 Wh to TPDDL-DL's meter BX (10:00–11:00 IST, 600
// paise/kWh), and 4000 Wh to its own meter B-1. TPDDL-DL is registered in BRPL-DL's registry as
// a PEER_DISCOM (its settlement keys); it has standing on the lines towards discom:TPDDL-DL only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatementRun } from '@ies/verify';
import type { SettlementError } from './codes.js';
import { matchLines, parseDispute, DISPUTE_SCHEMA } from './dispute.js';
import { checkDecisionStanding, checkRaiseStanding, outsideTheDiscom, type Signer } from './dispute-standing.js';
import type { FinalAllocation } from './final-allocation.js';
import type { PolicyPack } from './policy-pack.js';
import { buildStatement } from './statement.js';
import type { NormalisedTrade } from './trade.js';

const D = 'BRPL-DL';
const X = 'TPDDL-DL';
const START = Date.parse('2026-04-26T04:30:00Z');
const END = START + 3_600_000;
const PACK: PolicyPack = {
  policyId: 'BRPL-DL.standing-test', discomId: D, version: 1, effectiveFrom: '2026-01-01',
  calendar: { runs: [{ name: 'INITIAL', cutoffMinutesAfterDayEnd: 1440, missingData: 'ZERO_PENDING' }] },
  p2p: { wheeling: { buyerPaisePerKwh: 0, sellerPaisePerKwh: 0 }, transactionCharge: { buyerPaisePerKwh: 20, sellerPaisePerKwh: 20 }, sellerShortfall: { treatment: 'WAIVED' }, buyerShortfall: { treatment: 'WAIVED' } },
};
const trade = (id: string, buyer: { meterId: string; discomId: string }): NormalisedTrade => ({
  tradeId: `${id}/c`, transactionId: id, commitmentId: 'c', contractId: null,
  seller: { meterId: 'S-1', discomId: D, platformId: 'PLAT-1' }, buyer: { ...buyer, platformId: 'PLAT-1' },
  intervals: [{ startMs: START, endMs: END, quantityWh: 4000, pricePaisePerKwh: 600 }],
  intent: 'CONFIRM', source: { action: 'confirm', messageId: null, timestamp: null },
});
const final = (t: NormalisedTrade): FinalAllocation => ({
  tradeId: t.tradeId, sellerDiscomId: D, buyerDiscomId: t.buyer.discomId, sellerVersion: 1, buyerVersion: 1, sellerStatus: 'COMPLETED', buyerStatus: 'COMPLETED', status: 'COMPLETED',
  intervals: [{ startMs: START, endMs: END, contractedWh: 4000, sellerWh: 4000, buyerWh: 4000, finalWh: 4000, sellerShortfallWh: 0, buyerShortfallWh: 0, deviationWh: 0 }],
  evidence: [],
});
const CROSS = trade('TX', { meterId: 'BX', discomId: X });
const INSIDE = trade('TI', { meterId: 'B-1', discomId: D });
const RUN: StatementRun = { name: 'INITIAL', cutoffMs: END + 86_400_000, missingData: 'ZERO_PENDING' };
const statement = buildStatement({
  discomId: D, scope: { kind: 'DAY', day: '2026-04-26' }, run: RUN,
  trades: [CROSS, INSIDE].map((t) => ({ trade: t, state: 'ALLOCATED' as const, revision: 1 })), finals: [final(CROSS), final(INSIDE)],
}, PACK).content;
type Line = (typeof statement.lines)[number];
const towardsX = statement.lines.filter((l) => l.counterparty === `discom:${X}`);
const notX = statement.lines.filter((l) => l.counterparty !== `discom:${X}`);
const matched = (lines: readonly Line[]) => matchLines(parseDispute({
  schema: DISPUTE_SCHEMA, statementId: statement.id, type: 'CHARGE', reason: 'rate misapplied', evidence: [],
  lines: lines.map((l) => ({ kind: l.kind, reference: l.reference, intervalStartMs: l.intervalStartMs, meterId: l.meterId, payer: l.payer, payee: l.payee, claimed: { amountPaise: l.amountPaise + 500 } })),
}), statement);
const platforms = () => ['PLAT-1'];
const codeOf = (f: () => unknown) => {
  try {
    f();
    return 'none';
  } catch (err) {
    return (err as SettlementError).code;
  }
};
const PEER: Signer = { discomId: D, participantId: X, role: 'PEER_DISCOM' };

test('the statement has lines towards the peer DISCOM and lines that are not', () => {
  assert.ok(towardsX.length > 0, JSON.stringify(statement.lines.map((l) => [l.kind, l.payer, l.payee, l.counterparty])));
  assert.ok(notX.some((l) => l.reference === CROSS.tradeId), 'the cross trade also has lines towards the seller meter');
  assert.ok(notX.some((l) => l.reference === INSIDE.tradeId));
});

test('a PEER_DISCOM of the statement DISCOM has standing on the lines towards it, and on no other', () => {
  assert.equal(codeOf(() => checkRaiseStanding(PEER, D, matched(towardsX), platforms)), 'none');
  for (const l of notX) assert.equal(codeOf(() => checkRaiseStanding(PEER, D, matched([l]), platforms)), 'IES_ERR_DISPUTE_NO_STANDING', `${l.kind} ${l.payer} → ${l.payee}`);
  // One stray line among lines towards it spoils the whole dispute.
  assert.equal(codeOf(() => checkRaiseStanding(PEER, D, matched([...towardsX, notX[0]!]), platforms)), 'IES_ERR_DISPUTE_NO_STANDING');
  // Another peer, a peer of another tenant, and a peer registered under the DISCOM's own id: none.
  assert.equal(codeOf(() => checkRaiseStanding({ ...PEER, participantId: 'BYPL-DL' }, D, matched(towardsX), platforms)), 'IES_ERR_DISPUTE_NO_STANDING');
  assert.equal(codeOf(() => checkRaiseStanding({ ...PEER, discomId: 'BYPL-DL' }, D, matched(towardsX), platforms)), 'IES_ERR_DISPUTE_NO_STANDING');
  assert.equal(codeOf(() => checkRaiseStanding({ ...PEER, participantId: D }, D, matched(notX), platforms)), 'IES_ERR_DISPUTE_NO_STANDING');
  // The same lines for the hosted counterparty (role DISCOM of X's own tenant), as before.
  assert.equal(codeOf(() => checkRaiseStanding({ discomId: X, participantId: 'X-DESK', role: 'DISCOM' }, D, matched(towardsX), platforms)), 'none');
});

test('a PEER_DISCOM never decides, and stands outside the DISCOM (refusals answer as for a missing statement)', () => {
  assert.equal(codeOf(() => checkDecisionStanding(PEER, D)), 'IES_ERR_DISPUTE_NO_STANDING');
  assert.equal(outsideTheDiscom(PEER, D), true);
  assert.equal(outsideTheDiscom({ discomId: X, participantId: 'X-DESK', role: 'DISCOM' }, D), true);
  for (const role of ['DISCOM', 'PLATFORM', 'AGGREGATOR', 'HEADEND']) assert.equal(outsideTheDiscom({ discomId: D, participantId: 'P', role }, D), false, role);
});
