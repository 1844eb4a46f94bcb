import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { formatCheckpoint, parseCheckpoint } from './checkpoint.js';

const root = new Uint8Array(32).map((_, i) => i);

test('a checkpoint body is origin, size, base64 root and extensions, one per line', () => {
  const body = formatCheckpoint({ origin: 'ies.example/log/BRPL-DL', size: 12, rootHash: root, extensions: [] });
  assert.equal(body, 'ies.example/log/BRPL-DL\n12\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n');
  const parsed = parseCheckpoint(body);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.checkpoint, { origin: 'ies.example/log/BRPL-DL', size: 12, rootHash: root, extensions: [] });
  const withExt = parseCheckpoint(`${body}t 1\n`);
  assert.ok(withExt.ok && withExt.checkpoint.extensions[0] === 't 1');
});

test('malformed bodies name the problem', () => {
  const cases: [string, RegExp][] = [
    ['o\n12\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=', /ends with a newline/],
    ['o\n012\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n', /leading zeros/],
    ['o\n12\nAAEC\n', /base64 of 32 bytes/],
    ['o\n12\n', /at least 3 lines/],
    ['\n12\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n', /origin/],
  ];
  for (const [body, reason] of cases) {
    const r = parseCheckpoint(body);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.reason, reason);
  }
  assert.throws(() => formatCheckpoint({ origin: 'o', size: -1, rootHash: root, extensions: [] }), /non-negative/);
});

test('the checkpoint of a stored signed note, and its size', async () => {
  const { checkpointOfNote, checkpointSizeOf } = await import('./checkpoint.js');
  const note = `${formatCheckpoint({ origin: 'o', size: 7, rootHash: root, extensions: [] })}\n— o AAAAAAA=\n`;
  const parsed = checkpointOfNote(note);
  assert.ok(parsed.ok && parsed.checkpoint.origin === 'o');
  assert.equal(checkpointSizeOf(note), 7);
  assert.throws(() => checkpointSizeOf('o\n7\n'), /no blank line/);
});
