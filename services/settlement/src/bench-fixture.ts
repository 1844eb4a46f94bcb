// The synthetic day both settlement benchmarks settle: four DISCOMs, meters dealt round-robin
// to them, every fifth meter a prosumer, and P2P trades of 1–3 hourly intervals between
// 09:00 and 17:00 IST from a prosumer to any other meter. Deterministic (xorshift32).
import { BLOCK_MS, istDayStart } from '@ies/units';
import type { NormalisedTrade, TradeRecord } from './domain/trade.js';

export const BENCH_DISCOMS = ['BRPL-DL', 'TPDDL-DL', 'BYPL-DL', 'PVVNL-UP'] as const;
export const BENCH_DAY = '2026-04-26';
export const BENCH_DAY_START = istDayStart(BENCH_DAY)!;

/** A deterministic generator of integers in [0, n). */
export function benchRandom(seed = 0x9e3779b9): (n: number) => number {
  let s = seed;
  return (n) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

export const benchDiscomOf = (i: number): string => BENCH_DISCOMS[i % BENCH_DISCOMS.length]!;

/** `trades` trades among `meters` meters; `meterId` names meter i. */
export function benchTrades(meters: number, trades: number, rand: (n: number) => number, meterId: (i: number) => string): TradeRecord[] {
  const out: TradeRecord[] = [];
  for (let k = 0; k < trades; k++) {
    const seller = rand(Math.ceil(meters / 5)) * 5;
    let buyer = rand(meters);
    if (buyer === seller) buyer = (buyer + 1) % meters;
    const firstHour = 9 + rand(6);
    const hours = 1 + rand(3);
    const intervals = Array.from({ length: hours }, (_, h) => {
      const startMs = BENCH_DAY_START + (firstHour + h) * 4 * BLOCK_MS;
      return { startMs, endMs: startMs + 4 * BLOCK_MS, quantityWh: 500 + rand(3500), pricePaisePerKwh: 300 + rand(900) };
    });
    const trade: NormalisedTrade = {
      tradeId: `tx-${k.toString().padStart(6, '0')}/c`, transactionId: `tx-${k}`, commitmentId: 'c', contractId: null,
      seller: { meterId: meterId(seller), discomId: benchDiscomOf(seller), platformId: 'p.example' },
      buyer: { meterId: meterId(buyer), discomId: benchDiscomOf(buyer), platformId: 'p.example' },
      intervals, intent: 'CONFIRM', source: { action: 'on_confirm', messageId: null, timestamp: null },
    };
    out.push({ trade, state: 'CONFIRMED', revision: 0 });
  }
  return out;
}
