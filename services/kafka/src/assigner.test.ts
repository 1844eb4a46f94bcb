import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planAssignment } from './assigner.js';

const six = () => [0, 1, 2, 3, 4, 5];

test('a partition goes only to a member subscribed to its topic', () => {
  const plan = planAssignment(
    [{ memberId: 'loader-a', topics: ['A.meter-batches.v1'] }, { memberId: 'loader-ab', topics: ['A.meter-batches.v1', 'B.meter-batches.v1'] }],
    six,
  );
  // B's partitions all go to the one member that reads B; A's are split by load, so the A-only
  // member takes A's partitions until both carry the same number.
  assert.deepEqual(plan.get('loader-ab'), { 'B.meter-batches.v1': [0, 1, 2, 3, 4, 5] });
  assert.deepEqual(plan.get('loader-a'), { 'A.meter-batches.v1': [0, 1, 2, 3, 4, 5] });
});

test('members with the same subscription share its partitions evenly, whatever order they join in', () => {
  const members = [{ memberId: 'm2', topics: ['T'] }, { memberId: 'm1', topics: ['T'] }, { memberId: 'm3', topics: ['T'] }];
  const plan = planAssignment(members, six);
  assert.deepEqual(plan.get('m1'), { T: [0, 3] });
  assert.deepEqual(plan.get('m2'), { T: [1, 4] });
  assert.deepEqual(plan.get('m3'), { T: [2, 5] });
  assert.deepEqual(planAssignment([...members].reverse(), six), plan);
});

test('every partition of every subscribed topic is assigned exactly once; a member with nothing gets an empty assignment', () => {
  const members = [{ memberId: 'x', topics: ['P', 'Q'] }, { memberId: 'y', topics: ['Q'] }, { memberId: 'z', topics: [] }];
  const plan = planAssignment(members, (t) => (t === 'P' ? [0, 1, 2] : [0, 1, 2, 3, 4]));
  const seen = [...plan.values()].flatMap((a) => Object.entries(a).flatMap(([t, ps]) => ps.map((p) => `${t}/${p}`))).sort();
  assert.deepEqual(seen, ['P/0', 'P/1', 'P/2', 'Q/0', 'Q/1', 'Q/2', 'Q/3', 'Q/4']);
  assert.deepEqual(plan.get('z'), {});
  assert.ok(Object.keys(plan.get('y')!).every((t) => t === 'Q'));
});
