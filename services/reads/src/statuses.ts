/**
 * Validation statuses whose value may be used, for baselines as for settlement: VALID,
 * ESTIMATED (VEE substitutions) and MANUAL (a value an operator entered after validation).
 * SUSPECT and REJECTED count as missing, like an absent read. The one definition.
 */
export const USABLE_STATUSES: readonly string[] = Object.freeze(['VALID', 'ESTIMATED', 'MANUAL']);

export function isUsableStatus(status: string): boolean {
  return USABLE_STATUSES.includes(status);
}
