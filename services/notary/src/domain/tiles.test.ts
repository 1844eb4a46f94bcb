import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { newStoredNodes } from './tiles.js';

test('growing the log stores each leaf and each newly complete tile-level node exactly once', () => {
  const seen = new Set<string>();
  for (let size = 0; size < 70_000; ) {
    const next = size + 1 + ((size * 7919) % 900);
    for (const id of newStoredNodes(size, next)) {
      const key = `${id.level}:${id.index}`;
      assert.ok(!seen.has(key), `${key} stored twice`);
      assert.ok((id.index + 1) * 2 ** id.level <= next && (id.index + 1) * 2 ** id.level > size);
      seen.add(key);
    }
    size = next;
  }
  assert.ok(seen.has('16:0') && seen.has('8:255'));
});
