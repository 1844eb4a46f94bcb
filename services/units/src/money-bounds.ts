/**
 * Bounds on money inputs that keep every total an exact integer in a double.
 *
 * A rate (price or penalty) is at most MAX_RATE_PAISE_PER_KWH = 100,000 paise/kWh
 * (₹1,000/kWh, some fifty times the dearest retail tariff). Energy priced at a rate is
 * bounded per interval:
 * - a DR event interval (15 minutes) at most MAX_DR_INTERVAL_WH = 10^8 Wh (100 MWh: 400 MW
 *   held for 15 minutes); an event has at most 96 intervals, so an event's payment or penalty
 *   is at most 96 × 10^8 × 10^5 = 9.6 × 10^14 millipaise, under 2^53 ≈ 9.007 × 10^15;
 * - a P2P trade interval at most MAX_TRADE_INTERVAL_WH = 10^7 Wh (10 MWh), so one statement
 *   line is at most 10^7 × 10^5 / 1000 = 10^9 paise (the product 10^12 stays exact too) and
 *   a statement stays exact up to 9 × 10^6 lines all at the maximum.
 */
export const MAX_RATE_PAISE_PER_KWH = 100_000;
export const MAX_DR_INTERVAL_WH = 100_000_000;
export const MAX_TRADE_INTERVAL_WH = 10_000_000;
/** Intervals in a DR event: one IST day of 15-minute blocks. */
export const MAX_DR_INTERVALS = 96;
