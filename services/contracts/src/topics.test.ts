import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { TOPICS, topicName, valueSubject } from './topics.js';
import { isDiscomId } from './tenant.js';

const root = new URL('../../../../', import.meta.url);

test('topic names follow ies.<discom>.<name>.v<N> and subjects TopicNameStrategy', () => {
  assert.equal(topicName('BRPL-DL', TOPICS.meterBatches), 'ies.BRPL-DL.meter-batches.v1');
  assert.equal(valueSubject('BRPL-DL', TOPICS.meterBatches), 'ies.BRPL-DL.meter-batches.v1-value');
  for (const spec of Object.values(TOPICS)) assert.match(spec.name, /^[a-z0-9-]+\.v[0-9]+$/);
});

test('every topic is in the topic catalogue and every schema file exists', () => {
  const catalogue = readFileSync(new URL('docs/topics.md', root), 'utf8');
  for (const spec of Object.values(TOPICS)) {
    assert.ok(catalogue.includes(`\`${spec.name}\``), `${spec.name} missing from docs/topics.md`);
    if ('valueSchema' in spec) assert.ok(existsSync(new URL(`schemas-avro/${spec.valueSchema}`, root)), spec.valueSchema);
  }
});

test('registry state is compacted; others are deleted by retention', () => {
  assert.equal(TOPICS.registry.cleanupPolicy, 'compact');
  assert.equal(TOPICS.meterBatches.cleanupPolicy, 'delete');
});

test('DISCOM ids: DEG utilityId style only', () => {
  for (const ok of ['BRPL-DL', 'TPDDL-DL', 'PVVNL', 'D1']) assert.ok(isDiscomId(ok), ok);
  for (const bad of ['brpl-dl', 'BRPL_DL', '-BRPL', 'BRPL-', 'BR PL', '', 'A'.repeat(65), 'BRPL.DL']) assert.ok(!isDiscomId(bad), bad);
});
