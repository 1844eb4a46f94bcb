/**
 * The backfill rule: when a P2P trade is judged (window not in the past, cancellation before
 * delivery). It is the node clock, or the contract's own `context.timestamp` when the platform
 * lodges a trade late, within IES_P2P_TRADE_BACKFILL_MS (off by default); an older or a
 * future timestamp counts for nothing.
 */
export function contractTime(payload: unknown, now: number, backfillMs: number): number {
  if (backfillMs === 0) return now;
  const text = (payload as { context?: { timestamp?: unknown } } | null)?.context?.timestamp;
  const at = typeof text === 'string' ? Date.parse(text) : Number.NaN;
  return Number.isFinite(at) && at <= now && now - at <= backfillMs ? at : now;
}
