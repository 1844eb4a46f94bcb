// DEG P2P messages for tests: the shared wave-2 examples (CC BY-NC-SA, read at test time and
// never copied), with ids, meters, DISCOMs, platforms and the delivery window replaced in memory.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sharedFixture } from '@ies/testing';
import { formatInstant, istDayIndexOf, istDayStartMs } from '@ies/units';
import type { Json } from './harness.js';

export const FIXTURES = sharedFixture();

/** 10:00 IST, `days` from today: on the 15-minute grid, in the future for days ≥ 1. */
export const slot = (days: number) => formatInstant(istDayStartMs(istDayIndexOf(Date.now()) + days) + 10 * 3_600_000);

export interface TradeOptions { tx?: string; sellerMeter?: string; buyerMeter?: string; sellerDiscom: string; buyerDiscom: string; sellerPlatform?: string; buyerPlatform?: string; start?: string; file?: string }

/** A DEG example with the given parties: a string substitution over the example's own ids. */
export function degMessage(o: TradeOptions): { doc: Json; tx: string } {
  const tx = o.tx ?? randomUUID();
  let text = readFileSync(new URL(`deg-p2p-wave2/${o.file ?? 'confirm-request.json'}`, FIXTURES), 'utf8');
  const swap: [string, string][] = [
    ['1268c204-675b-4adb-9321-b08231b147b2', tx],
    ['TEST_METER_SELLER_001', o.sellerMeter ?? 'M-SELL'],
    ['TEST_METER_BUYER_001', o.buyerMeter ?? 'M-BUY'],
    ['TEST_DISCOM_SELLER', o.sellerDiscom],
    ['TEST_DISCOM_BUYER', o.buyerDiscom],
    ['sellerapp.example.com', o.sellerPlatform ?? 'PLAT-SELL'],
    ['buyerapp.example.com', o.buyerPlatform ?? 'PLAT-BUY'],
    ['2026-04-26T04:30:00Z', o.start ?? slot(2)],
  ];
  for (const [from, to] of swap) text = text.split(from).join(to);
  return { doc: JSON.parse(text) as Json, tx };
}

/** The trade id a DEG example's first commitment gets, URL-encoded for a path. */
export const tradePath = (tx: string, suffix = '') => `/v1/p2p/trades/${encodeURIComponent(`${tx}/commitment-p2p-001`)}${suffix}`;
