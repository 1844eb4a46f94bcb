import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IesError } from './ies-error.js';
import { toProblem } from './problem.js';

test('an IesError becomes RFC 9457 problem details with its code, status and details', () => {
  const err = new IesError('IES_ERR_TENANT_INVALID', 'DISCOM id "brpl dl" must match ^[A-Z0-9]+(-[A-Z0-9]+)*$', {
    details: { field: 'discom' },
  });
  const p = toProblem(err, '/v1/things/1');
  assert.deepEqual(p, {
    field: 'discom',
    type: 'urn:ies-backbone:error:IES_ERR_TENANT_INVALID',
    title: 'Invalid DISCOM (tenant) id',
    status: 400,
    detail: 'DISCOM id "brpl dl" must match ^[A-Z0-9]+(-[A-Z0-9]+)*$',
    code: 'IES_ERR_TENANT_INVALID',
    retriable: false,
    instance: '/v1/things/1',
  });
});

test('details cannot overwrite the standard members', () => {
  const p = toProblem(new IesError('IES_ERR_NOT_FOUND', 'no batch b1', { details: { status: 200, code: 'X' } }));
  assert.equal(p.status, 404);
  assert.equal(p.code, 'IES_ERR_NOT_FOUND');
});

test('an unknown error hides its message and is an internal error', () => {
  const p = toProblem(new Error('password=hunter2 at db.connect'));
  assert.equal(p.code, 'IES_ERR_INTERNAL');
  assert.equal(p.status, 500);
  assert.ok(!p.detail.includes('hunter2'));
});

test('retriable can be overridden per error', () => {
  const err = new IesError('IES_ERR_INTERNAL', 'x', { retriable: true });
  assert.equal(err.retriable, true);
  assert.equal(new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', 'kafka down').retriable, true);
});
