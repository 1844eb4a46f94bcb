import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { KAFKA_GRANTS, KAFKA_PRINCIPALS, withNodeId, type KafkaGrants } from './kafka-acls.js';
import { TOPICS } from './topics.js';

const root = new URL('../../../../', import.meta.url);

test('every service principal has grants, admin has none (it is a super-user)', () => {
  assert.deepEqual(Object.keys(KAFKA_GRANTS).sort(), KAFKA_PRINCIPALS.filter((p) => p !== 'admin').sort());
  for (const [principal, g] of Object.entries(KAFKA_GRANTS) as [string, KafkaGrants][]) {
    for (const id of [...g.read, ...g.write]) assert.ok(id in TOPICS, `${principal}: ${id} is not a catalogue topic`);
    assert.ok(g.groups.length > 0 || g.read.length === 0, `${principal} reads but has no consumer group`);
  }
});

test('infra/lib.sh makes a password for exactly the principals of the table', () => {
  const lib = readFileSync(new URL('infra/lib.sh', root), 'utf8');
  const listed = /^KAFKA_PRINCIPALS="([^"]*)"/m.exec(lib)?.[1]?.split(/\s+/).filter(Boolean);
  assert.deepEqual(listed, [...KAFKA_PRINCIPALS]);
});

test('nobody but the gateway writes meter batches or the registry; only settlement and the gateway write statements', () => {
  const writers = (id: string) => Object.entries(KAFKA_GRANTS).filter(([, g]) => (g.write as readonly string[]).includes(id)).map(([p]) => p).sort();
  assert.deepEqual(writers('meterBatches'), ['gateway']);
  assert.deepEqual(writers('registry'), ['gateway']);
  assert.deepEqual(writers('receipts'), ['notary']);
  assert.deepEqual(writers('statements'), ['gateway', 'settlement']);
  assert.deepEqual(writers('disputes'), ['gateway', 'settlement']);
});

test('{node} templates take the node id', () => {
  assert.equal(withNodeId('ies-registry-view-{node}-gateway-', 'n1'), 'ies-registry-view-n1-gateway-');
});

test('the stores rebuild from topics their owner may read, in groups their owner may join', () => {
  const reads = (p: keyof typeof KAFKA_GRANTS) => KAFKA_GRANTS[p].read as readonly string[];
  const joins = (p: keyof typeof KAFKA_GRANTS, group: string) => KAFKA_GRANTS[p].groups.some((g) => group.startsWith(withNodeId(g, 'n1')));
  // DR: dr-events.v1 and dr-performance.v1; settlement: trades, finals and sides.
  for (const id of ['drEvents', 'drPerformance']) assert.ok(reads('dr').includes(id), `dr reads ${id}`);
  for (const id of ['p2pTrades', 'p2pAllocations', 'p2pSides', 'disputes']) assert.ok(reads('settlement').includes(id), `settlement reads ${id}`);
  assert.ok(joins('dr', 'n1-dr-rebuild-BRPL-DL-0f3c'));
  assert.ok(joins('settlement', 'n1-settlement-rebuild-BRPL-DL-0f3c'));
  // The gateway's head-end intake: one group per tenant.
  assert.ok(joins('gateway', 'n1-gateway-submissions-BRPL-DL'));
  // The gateway's replay ledger: its own meter-batches.v1, in a throwaway group per rebuild.
  assert.ok(reads('gateway').includes('meterBatches'), 'gateway reads meterBatches');
  assert.ok(joins('gateway', 'n1-gateway-ledger-BRPL-DL-0f3c'));
});
