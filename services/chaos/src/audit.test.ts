import { test } from 'node:test';
import assert from 'node:assert/strict';
import { referenceStatements } from './audit.js';

test('without the auditor the reference hashes a statement without its evidence', () => {
  const a = { id: 'ST-1', lines: [{ amountPaise: 10 }], evidence: [{ size: 3 }] };
  const b = { ...a, evidence: [{ size: 9 }] };
  const missing = 'no auditor';
  assert.deepEqual(referenceStatements(missing, [a]), referenceStatements(missing, [b]));
  assert.notDeepEqual(referenceStatements(missing, [a]), referenceStatements(missing, [{ ...a, lines: [{ amountPaise: 11 }] }]));
});

test("the auditor's own referenceOf is used when it has one", () => {
  const auditor = { audit: async () => { throw new Error('unused'); }, renderAuditTable: () => '', referenceOf: () => ({ X: 'from-the-auditor' }) };
  assert.deepEqual(referenceStatements(auditor, [{ id: 'ST-1' }]), { X: 'from-the-auditor' });
});
