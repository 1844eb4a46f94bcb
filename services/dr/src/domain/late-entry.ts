/**
 * Dispatch before the window: an event must be published (and activated) before its window
 * starts, or customers could not have responded to it and a past window could be "ordered"
 * after the fact to claim payment for load that fell anyway. Only the DISCOM itself may enter
 * an event whose window has started (e.g. one dispatched by phone during a grid emergency),
 * and it is recorded as a late entry in the event's history.
 */
export type DispatchTiming = { readonly late: false } | { readonly late: true; readonly reason: string };

export const LATE_ENTRY_ROLES: readonly string[] = ['DISCOM'];

export function dispatchTiming(windowStartMs: number, nowMs: number): DispatchTiming {
  if (nowMs < windowStartMs) return { late: false };
  return { late: true, reason: `late entry: the window started ${new Date(windowStartMs).toISOString()}, ${Math.round((nowMs - windowStartMs) / 60_000)} min before it was lodged` };
}
