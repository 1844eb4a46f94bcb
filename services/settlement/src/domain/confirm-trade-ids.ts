/** At most this many commitments of one message are looked up (the schema bounds the rest). */
export const MAX_LOOKED_UP_COMMITMENTS = 100;

/**
 * The trade ids (`<transactionId>/<commitmentId>`) a DEG confirm names, read leniently from
 * the unvalidated message: the intake looks up the digests of those it already holds, so that
 * the domain tells a replay from a conflicting confirm. Anything malformed names nothing here;
 * normaliseDegTrade refuses it with the problem.
 */
export function confirmTradeIds(payload: unknown): string[] {
  const p = payload as { context?: { transactionId?: unknown }; message?: { contract?: { commitments?: unknown } } } | null;
  const tx = p?.context?.transactionId;
  const commitments = p?.message?.contract?.commitments;
  if (typeof tx !== 'string' || !Array.isArray(commitments)) return [];
  const ids: string[] = [];
  for (const c of commitments.slice(0, MAX_LOOKED_UP_COMMITMENTS)) {
    const id = (c as { id?: unknown } | null)?.id;
    if (typeof id === 'string') ids.push(`${tx}/${id}`);
  }
  return ids;
}
