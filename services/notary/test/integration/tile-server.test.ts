// ies-tiles, the tiled log in a process of its own: the same checkpoint and tiles as the log's
// projection holds, served from memory once fetched (a full tile survives its Redis copy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RFC6962_SHA256, rootFromLeafHashes } from '@ies/merkle';
import { checkpointOfNote } from '@ies/verify';
import { startTileServer } from '../../src/tiles-main.js';
import { checkpointAt, runningNotary } from './support.js';

const { fx } = await runningNotary();

test('ies-tiles serves the checkpoint and the tiles the notary keeps; full tiles stay served from memory', async (t) => {
  for (let i = 0; i < 256; i += 1) await fx.produceBatch();
  const note = await checkpointAt(fx, 256, 'the log at 256 entries', 120_000);
  const server = await startTileServer({ ...fx.env, IES_HTTP_HOST: '127.0.0.1', IES_HTTP_PORT: '0', IES_TILES_NICE: '0' });
  t.after(() => server.stop());
  const get = (p: string) => fetch(`${server.address}/logs/${fx.tenant}/${p}`);

  const cp = await get('checkpoint');
  assert.equal(cp.status, 200);
  assert.equal(await cp.text(), note);
  const tile = await get('tile/0/000');
  assert.equal(tile.status, 200);
  assert.equal(tile.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  const bytes = Buffer.from(await tile.arrayBuffer());
  assert.equal(bytes.length, 256 * 32);
  const hashes = Array.from({ length: 256 }, (_, i) => bytes.subarray(i * 32, i * 32 + 32));
  const parsed = checkpointOfNote(note);
  assert.ok(parsed.ok);
  assert.deepEqual(Buffer.from(rootFromLeafHashes(RFC6962_SHA256, hashes)), Buffer.from(parsed.checkpoint.rootHash), 'the tile rebuilds the signed root');
  assert.equal((await get('tile/0/001')).status, 404, 'nothing beyond the checkpoint');
  assert.equal((await fetch(`${server.address}/logs/NOT-A-TENANT/checkpoint`)).status, 404);

  // Full tiles are immutable: once served they come from memory, not from Redis.
  const tileKeys = await fx.redis.keys(`ies:${fx.tenant}:log:tile*`);
  assert.ok(tileKeys.length > 0, 'the projection keeps tiles in Redis');
  const saved = await Promise.all(tileKeys.map(async (k) => [k, await fx.redis.dumpBuffer(k)] as const));
  await fx.redis.del(...tileKeys);
  try {
    const again = await get('tile/0/000');
    assert.equal(again.status, 200);
    assert.deepEqual(Buffer.from(await again.arrayBuffer()), bytes);
  } finally {
    for (const [k, v] of saved) if (v) await fx.redis.restore(k, 0, v, 'REPLACE');
  }
});
