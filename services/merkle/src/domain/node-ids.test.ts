import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consistencyPlan, consistencyProofLength, inclusionPlan, inclusionProofLength, nodeKey, nodeRange, type ProofPlan } from './node-ids.js';

const keys = (plan: ProofPlan) => plan.hashes.map((h) => h.nodes.map(nodeKey).join('+'));
const ranges = (plan: ProofPlan) => plan.hashes.map((h) => `${h.begin}-${h.end}`);

test('inclusion plans for the CT vectors name the expected subtrees', () => {
  assert.deepEqual(ranges(inclusionPlan(0, 8)), ['1-2', '2-4', '4-8']);
  assert.deepEqual(ranges(inclusionPlan(5, 8)), ['4-5', '6-8', '0-4']);
  assert.deepEqual(ranges(inclusionPlan(2, 3)), ['0-2']);
  assert.deepEqual(ranges(inclusionPlan(1, 5)), ['0-1', '2-4', '4-5']);
  assert.deepEqual(ranges(inclusionPlan(0, 1)), []);
});

test('a right-edge subtree that is not complete is fetched as its complete parts, largest first', () => {
  // Leaf 0 of 7: siblings [1,2), [2,4) and the right edge [4,7) = node 1:2 ([4,6)) + node 0:6.
  const plan = inclusionPlan(0, 7);
  assert.deepEqual(ranges(plan), ['1-2', '2-4', '4-7']);
  assert.deepEqual(keys(plan), ['0:1', '1:1', '1:2+0:6']);
  assert.deepEqual(plan.nodeIds.map(nodeKey), ['0:1', '1:1', '1:2', '0:6']);
  // Leaf 0 of 2^20 + 2^10 + 1: one proof hash folds three nodes of very different levels.
  const big = inclusionPlan(0, 2 ** 20 + 2 ** 10 + 1);
  assert.deepEqual(big.hashes.at(-1)!.nodes.map(nodeKey), ['10:1024', '0:1049600']);
});

test('consistency plans: the old root is left out only when size1 is a power of two', () => {
  assert.deepEqual(ranges(consistencyPlan(1, 8)), ['1-2', '2-4', '4-8']);
  assert.deepEqual(ranges(consistencyPlan(4, 8)), ['4-8']);
  assert.deepEqual(ranges(consistencyPlan(6, 8)), ['4-6', '6-8', '0-4']);
  assert.deepEqual(ranges(consistencyPlan(6, 7)), ['4-6', '6-7', '0-4']);
  assert.deepEqual(ranges(consistencyPlan(2, 5)), ['2-4', '4-5']);
  assert.deepEqual(ranges(consistencyPlan(3, 3)), []);
  assert.deepEqual(ranges(consistencyPlan(0, 9)), []);
});

test('every planned node is a complete subtree inside the tree and each hash is its nodes, contiguous', () => {
  for (let size = 1; size <= 130; size++) {
    const plans: [string, ProofPlan][] = [];
    for (let i = 0; i < size; i++) plans.push([`leaf ${i} of ${size}`, inclusionPlan(i, size)]);
    for (let m = 0; m <= size; m++) plans.push([`${m} → ${size}`, consistencyPlan(m, size)]);
    for (const [name, plan] of plans) {
      for (const h of plan.hashes) {
        let at = h.begin;
        for (const id of h.nodes) {
          const r = nodeRange(id);
          assert.equal(r.begin, at, `${name}: nodes of ${h.begin}-${h.end} are contiguous`);
          assert.ok(r.end <= size, `${name}: node ${nodeKey(id)} is complete in a tree of ${size}`);
          at = r.end;
        }
        assert.equal(at, h.end, `${name}: nodes cover ${h.begin}-${h.end}`);
      }
      assert.equal(new Set(plan.nodeIds.map(nodeKey)).size, plan.nodeIds.length, `${name}: no node twice`);
    }
    for (let i = 0; i < size; i++) assert.equal(inclusionProofLength(i, size), inclusionPlan(i, size).hashes.length, `length for leaf ${i} of ${size}`);
    for (let m = 0; m <= size; m++) assert.equal(consistencyProofLength(m, size), consistencyPlan(m, size).hashes.length, `length for ${m} → ${size}`);
  }
});

test('plans stay exact beyond 2^32 leaves, where bitwise operators would wrap', () => {
  const size = 2 ** 40 + 3;
  const plan = inclusionPlan(size - 1, size);
  assert.deepEqual(ranges(plan), [`${2 ** 40}-${2 ** 40 + 2}`, `0-${2 ** 40}`]);
  assert.equal(inclusionProofLength(0, 2 ** 53 - 1), 53);
  assert.equal(inclusionProofLength(2 ** 53 - 2, 2 ** 53 - 1), 52);
  assert.deepEqual(ranges(consistencyPlan(2 ** 40, 2 ** 40 + 1)), [`${2 ** 40}-${2 ** 40 + 1}`]);
});

test('out-of-range and non-integer arguments are refused with the numbers in the message', () => {
  assert.throws(() => inclusionPlan(9, 8), /index 9 ≥ size 8/);
  assert.throws(() => inclusionPlan(0, 0), /index 0 ≥ size 0/);
  assert.throws(() => inclusionPlan(1.5, 8), /index must be an integer/);
  assert.throws(() => inclusionPlan(0, 2 ** 53), /size must be an integer/);
  assert.throws(() => consistencyPlan(5, 4), /size1 5 > size2 4/);
  assert.throws(() => consistencyPlan(-1, 4), /size1 must be an integer/);
});
