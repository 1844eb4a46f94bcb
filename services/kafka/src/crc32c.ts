import { createRequire } from 'node:module';

/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of every Kafka record
 * batch (magic 2). kafkajs 2.2.4 computes it over each produce request's batch body one byte at
 * a time in JavaScript; on the ingest path, where a batch record carries a 43 KB signed body
 * and its reads, that was 0.29 µs of the gateway's 2.69 µs of CPU per read (services/kafka/
 * README.md, "The record batch checksum"). This computes the same value sixteen bytes per step
 * ("slicing-by-16": sixteen 256-entry tables, each byte's contribution looked up at its
 * distance from the end of the step), about 3× as fast in V8.
 *
 * The broker checks the CRC of every batch it is sent (a wrong one is refused as
 * CORRUPT_MESSAGE), so any produce that succeeds was checked by Kafka's own code.
 */

const POLY = 0x82f63b78;
const STEP = 16;
/** TABLES[k × 256 + b]: the CRC contribution of byte b followed by k zero bytes. */
const TABLES = new Int32Array(STEP * 256);
for (let b = 0; b < 256; b += 1) {
  let c = b;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  TABLES[b] = c;
}
for (let k = 1; k < STEP; k += 1) {
  for (let b = 0; b < 256; b += 1) {
    const prev = TABLES[(k - 1) * 256 + b] as number;
    TABLES[k * 256 + b] = (prev >>> 8) ^ (TABLES[prev & 0xff] as number);
  }
}

/** The CRC-32C of `bytes`, unsigned. */
export function crc32c(bytes: Uint8Array): number {
  const t = TABLES;
  const n = bytes.length;
  const whole = n - (n % STEP);
  let crc = -1;
  let i = 0;
  for (; i < whole; i += STEP) {
    const a = crc ^ ((bytes[i] as number) | ((bytes[i + 1] as number) << 8) | ((bytes[i + 2] as number) << 16) | ((bytes[i + 3] as number) << 24));
    crc =
      (t[15 * 256 + (a & 0xff)] as number) ^
      (t[14 * 256 + ((a >>> 8) & 0xff)] as number) ^
      (t[13 * 256 + ((a >>> 16) & 0xff)] as number) ^
      (t[12 * 256 + (a >>> 24)] as number) ^
      (t[11 * 256 + (bytes[i + 4] as number)] as number) ^
      (t[10 * 256 + (bytes[i + 5] as number)] as number) ^
      (t[9 * 256 + (bytes[i + 6] as number)] as number) ^
      (t[8 * 256 + (bytes[i + 7] as number)] as number) ^
      (t[7 * 256 + (bytes[i + 8] as number)] as number) ^
      (t[6 * 256 + (bytes[i + 9] as number)] as number) ^
      (t[5 * 256 + (bytes[i + 10] as number)] as number) ^
      (t[4 * 256 + (bytes[i + 11] as number)] as number) ^
      (t[3 * 256 + (bytes[i + 12] as number)] as number) ^
      (t[2 * 256 + (bytes[i + 13] as number)] as number) ^
      (t[256 + (bytes[i + 14] as number)] as number) ^
      (t[bytes[i + 15] as number] as number);
  }
  for (; i < n; i += 1) crc = (t[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/** kafkajs's module that every record batch takes its CRC function from (its v0 RecordBatch encoder requires it). */
const KAFKAJS_CRC = 'kafkajs/src/protocol/recordBatch/crc32C/index.js';
const KAFKAJS_BATCH_ENCODER = 'kafkajs/src/protocol/recordBatch/v0/index.js';

/** How record batches this process produces get their CRC. */
export type ProduceChecksum = 'sliced' | 'kafkajs';

let installed: ProduceChecksum | undefined;

/**
 * Makes kafkajs take `crc32c` for the record batches it encodes, by putting it in Node's module
 * cache as the module kafkajs's batch encoder requires. kafkajs loads that encoder lazily, with
 * its first produce or fetch request, so this takes effect whenever it runs before a client's
 * first request (@ies/kafka runs it when it is imported). 'kafkajs' when it cannot: the encoder was loaded
 * already, or kafkajs no longer has that module (another version); kafkajs's own function then
 * stays, which gives the same bytes more slowly. Idempotent.
 */
export function installProduceChecksum(): ProduceChecksum {
  if (installed !== undefined) return installed;
  const require = createRequire(import.meta.url);
  let crcPath: string;
  let encoderPath: string;
  try {
    crcPath = require.resolve(KAFKAJS_CRC);
    encoderPath = require.resolve(KAFKAJS_BATCH_ENCODER);
  } catch {
    return (installed = 'kafkajs');
  }
  if (require.cache[encoderPath] !== undefined) return (installed = 'kafkajs');
  const module = require.cache[crcPath] ?? (require(crcPath), require.cache[crcPath]);
  if (module === undefined) return (installed = 'kafkajs');
  module.exports = crc32c;
  return (installed = 'sliced');
}
