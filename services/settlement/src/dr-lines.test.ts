import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drStatementInputs, type DrEventSummary } from './dr-lines.js';

const ev = (eventId: string, state: string): DrEventSummary => ({ eventId, aggregatorId: 'greenflex', eventDay: '2026-04-26', state });
const perf = (complete: boolean, paymentPaise: number, penaltyPaise: number) => ({ version: 1, complete, eligibleWh: 41_150, shortfallWh: 850, paymentPaise, penaltyPaise });

test('measured events give incentive and penalty lines; unmeasured or incomplete ones are pending; drafts and cancelled ones nothing', () => {
  const r = drStatementInputs([
    { event: ev('DR-1', 'MEASURED'), performance: perf(true, 12_345, 2_000) },
    { event: ev('DR-2', 'BASELINED'), performance: undefined },
    { event: ev('DR-3', 'MEASURED'), performance: perf(false, 500, 0) },
    { event: ev('DR-4', 'CANCELLED'), performance: undefined },
    { event: ev('DR-5', 'DRAFT'), performance: undefined },
  ]);
  assert.deepEqual(r.drLines.map((l) => [l.eventId, l.kind, l.quantityWh, l.amountPaise]), [
    ['DR-1', 'DR_INCENTIVE', 41_150, 12_345],
    ['DR-1', 'DR_PENALTY', 850, 2_000],
    ['DR-3', 'DR_INCENTIVE', 41_150, 500],
  ]);
  assert.deepEqual(r.pending, [{ reference: 'DR-2', reason: 'DR_AWAITING_MEASUREMENT' }, { reference: 'DR-3', reason: 'DR_MEASUREMENT_INCOMPLETE' }]);
});

test('a calendar run sees DR events as held at its cut-off: entered later is left out, a later transition waits', async () => {
  const { eventsAsOf } = await import('./statement-calendar-run.js');
  const e = (eventId: string, state: string, history: [string, number][]) => ({ eventId, aggregatorId: 'AGG', eventDay: '2026-04-26', state, history: history.map(([s, at]) => ({ state: s, at })) });
  const events = [
    e('EV-EARLY', 'MEASURED', [['DRAFT', 100], ['ACTIVE', 110], ['BASELINED', 120], ['MEASURED', 500]]),
    e('EV-LATE', 'ACTIVE', [['DRAFT', 300], ['ACTIVE', 310]]),
    e('EV-ON-TIME', 'CANCELLED', [['DRAFT', 150], ['CANCELLED', 200]]),
  ];
  const at250 = eventsAsOf(events, 250);
  assert.deepEqual(at250.map((x) => [x.eventId, x.state]), [['EV-EARLY', 'BASELINED'], ['EV-ON-TIME', 'CANCELLED']]);
  assert.deepEqual(eventsAsOf(events, 1000).map((x) => x.state), ['MEASURED', 'ACTIVE', 'CANCELLED']);
  // Without a history (a source that keeps none) an event is taken as it is.
  const bare = { eventId: 'EV-X', aggregatorId: 'AGG', eventDay: '2026-04-26', state: 'MEASURED' };
  assert.deepEqual(eventsAsOf([bare], 0), [bare]);
});
