import { test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { consumerCredentialAcls } from './acls.js';

const { AclOperationTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

test('an issued consumer credential may READ its literal topics and its group prefix, nothing else', () => {
  const acls = consumerCredentialAcls('agg.D-1.A-1.abc', ['ies.D-1.agg.A-1.dr-events.v1', 'ies.D-1.agg.A-1.baselines.v1'], 'agg.D-1.A-1.');
  assert.equal(acls.length, 3);
  for (const a of acls) {
    assert.equal(a.principal, 'User:agg.D-1.A-1.abc');
    assert.equal(a.operation, AclOperationTypes.READ);
  }
  assert.deepEqual(acls.filter((a) => a.resourceType === AclResourceTypes.TOPIC).map((a) => [a.resourceName, a.resourcePatternType]), [
    ['ies.D-1.agg.A-1.dr-events.v1', ResourcePatternTypes.LITERAL],
    ['ies.D-1.agg.A-1.baselines.v1', ResourcePatternTypes.LITERAL],
  ]);
  assert.deepEqual(acls.filter((a) => a.resourceType === AclResourceTypes.GROUP).map((a) => [a.resourceName, a.resourcePatternType]), [['agg.D-1.A-1.', ResourcePatternTypes.PREFIXED]]);
});
