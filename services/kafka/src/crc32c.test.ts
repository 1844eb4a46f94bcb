import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { createKafka } from './client.js';
import { crc32c, installProduceChecksum } from './crc32c.js';

const require = createRequire(import.meta.url);
/** kafkajs's own byte-at-a-time CRC-32C (the module crc32c.ts stands in front of, not replaced). */
const kafkajsCrc = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js') as (b: Buffer) => number;

test('crc32c gives the CRC-32C check value and kafkajs’s own CRC for every length and alignment', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283); // RFC 3720, B.4
  assert.equal(crc32c(new Uint8Array(0)), 0);
  const pool = randomBytes(70_000);
  for (let length = 0; length <= 97; length += 1) {
    for (const offset of [0, 1, 3, 7]) {
      const view = pool.subarray(offset, offset + length);
      assert.equal(crc32c(view), kafkajsCrc(view), `length ${length} at offset ${offset}`);
    }
  }
  const large = pool.subarray(5, 65_541);
  assert.equal(crc32c(large), kafkajsCrc(large));
});

test('importing @ies/kafka makes kafkajs’s record batches carry crc32c’s checksum', async () => {
  // createKafka's module ran installProduceChecksum before any batch was encoded here.
  assert.equal(typeof createKafka, 'function');
  assert.equal(installProduceChecksum(), 'sliced');
  assert.equal(require('kafkajs/src/protocol/recordBatch/crc32C/index.js'), crc32c);
  // Encode a batch with kafkajs's own encoder and check its CRC field against kafkajs's function.
  const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch: (o: { records: unknown[] }) => Promise<{ buffer: Buffer }> };
  const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (o: { key: Buffer; value: Buffer; offsetDelta: number }) => unknown;
  const records = [0, 1, 2].map((offsetDelta) => Record({ key: randomBytes(8), value: randomBytes(4_000 + offsetDelta), offsetDelta }));
  const { buffer } = await RecordBatch({ records });
  // firstOffset int64, length int32 (writeBytes), partitionLeaderEpoch int32, magic int8, crc uint32, then the body it covers.
  const batch = buffer.subarray(12);
  assert.equal(batch.readInt8(4), 2);
  assert.equal(batch.readUInt32BE(5), kafkajsCrc(batch.subarray(9)));
});
