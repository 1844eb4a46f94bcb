import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RowBinaryWriter } from './row-binary.js';

test('integers are little-endian two\'s complement over the safe range', () => {
  const w = new RowBinaryWriter(1);
  for (const v of [0, -1, 412, -(2 ** 53 - 1), 2 ** 53 - 1]) w.int64(v);
  w.uint64(2 ** 40 + 5);
  w.uint32(4294967295);
  w.int8(2);
  const b = w.bytes();
  assert.deepEqual([0, 8, 16, 24, 32].map((o) => b.readBigInt64LE(o)), [0n, -1n, 412n, -(2n ** 53n - 1n), 2n ** 53n - 1n]);
  assert.equal(b.readBigUInt64LE(40), 2n ** 40n + 5n);
  assert.equal(b.readUInt32LE(48), 4294967295);
  assert.equal(b[52], 2);
  assert.equal(b.length, 53);
});

test('strings carry their UTF-8 byte length as LEB128, whether short, non-ASCII or long', () => {
  const w = new RowBinaryWriter(1);
  w.string('');
  w.string('M-1');
  w.string('héllo ₹');
  w.string('x'.repeat(300));
  w.strings(['a', 'bc']);
  w.blob(Uint8Array.from([0, 255]));
  const b = w.bytes();
  const expected = Buffer.concat([
    Buffer.from([0]),
    Buffer.from([3]), Buffer.from('M-1'),
    Buffer.from([10]), Buffer.from('héllo ₹'),
    Buffer.from([0xac, 0x02]), Buffer.from('x'.repeat(300)),
    Buffer.from([2, 1]), Buffer.from('a'), Buffer.from([2]), Buffer.from('bc'),
    Buffer.from([2, 0, 255]),
  ]);
  assert.deepEqual(b, expected);
});

test('Nullable, UInt64 beyond 2^53 and values across chunk boundaries', () => {
  const w = new RowBinaryWriter(4);
  w.nullableString(null);
  w.nullableString('ab');
  w.uint64Big(2n ** 64n - 2n);
  w.string('xyz');
  w.blob(Buffer.alloc(100, 7));
  assert.ok(w.chunks().length > 1);
  assert.equal(w.length, 1 + 1 + 3 + 8 + 4 + 101);
  const b = w.bytes();
  assert.deepEqual([...b.subarray(0, 5)], [1, 0, 2, 0x61, 0x62]);
  assert.equal(b.readBigUInt64LE(5), 2n ** 64n - 2n);
  assert.deepEqual([...b.subarray(13, 17)], [3, 0x78, 0x79, 0x7a]);
  assert.deepEqual(b.subarray(17), Buffer.concat([Buffer.from([100]), Buffer.alloc(100, 7)]));
});

test('adopted chunks and bytes written in place keep their order with the rows around them', () => {
  const w = new RowBinaryWriter(8);
  w.string('ab');
  w.adopt([Buffer.from([1, 2, 3]), Buffer.from([4])]);
  const b = w.room(4);
  b.set([5, 6, 7, 8], w.offset);
  w.advance(w.offset + 4);
  w.int8(9);
  w.adopt([]);
  w.string('c');
  assert.equal(w.length, 3 + 4 + 4 + 1 + 2);
  assert.deepEqual([...w.bytes()], [2, 97, 98, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 99]);
});
