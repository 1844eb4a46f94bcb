import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_DR_INTERVALS, MAX_DR_INTERVAL_WH, MAX_RATE_PAISE_PER_KWH, MAX_TRADE_INTERVAL_WH } from './money-bounds.js';

test('the bounds keep every DR total and every P2P line exact', () => {
  const limit = BigInt(Number.MAX_SAFE_INTEGER);
  // An event's payment (or penalty) in millipaise: every interval at the maximum.
  assert.ok(BigInt(MAX_DR_INTERVALS) * BigInt(MAX_DR_INTERVAL_WH) * BigInt(MAX_RATE_PAISE_PER_KWH) < limit);
  // A P2P line's product, and a statement of nine million such lines in paise.
  assert.ok(BigInt(MAX_TRADE_INTERVAL_WH) * BigInt(MAX_RATE_PAISE_PER_KWH) < limit);
  assert.ok(9_000_000n * ((BigInt(MAX_TRADE_INTERVAL_WH) * BigInt(MAX_RATE_PAISE_PER_KWH)) / 1000n) < limit);
});
