/**
 * The dispute terms of a DISCOM's policy pack (`disputes`): which dispute types it accepts,
 * each with a deadline counted from the disputed run's data cut-off, and the materiality
 * threshold below which a dispute is not worth a desk's time (in the style of the BSC's
 * trading disputes: a deadline per type and a materiality threshold).
 *
 *   "disputes": {
 *     "materialityPaise": 10000,
 *     "types": {
 *       "READ_VALUE": { "deadlineMinutesAfterCutoff": 20160 },
 *       "NO_READ":    { "deadlineMinutesAfterCutoff": 20160 },
 *       "CHARGE":     { "deadlineMinutesAfterCutoff": 43200 }
 *     }
 *   }
 */
export const DISPUTE_TYPES = ['READ_VALUE', 'NO_READ', 'CHARGE'] as const;
export type DisputeType = (typeof DISPUTE_TYPES)[number];

export interface DisputeTerms {
  /** Smallest change, in paise, of the most affected party's position a dispute may claim. */
  readonly materialityPaise: number;
  readonly types: Partial<Record<DisputeType, { readonly deadlineMinutesAfterCutoff: number }>>;
}

const MAX_DEADLINE_MINUTES = 366 * 1440;

/** Every problem of a `disputes` member of a policy pack (paths from `$.disputes`). */
export function disputeTermsProblems(value: unknown): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const add = (path: string, message: string) => problems.push({ path: `$.disputes${path}`, message });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [{ path: '$.disputes', message: 'must be an object {materialityPaise, types}' }];
  const d = value as Record<string, unknown>;
  for (const k of Object.keys(d)) if (k !== 'materialityPaise' && k !== 'types') add(`.${k}`, 'unknown member (misspelt?)');
  if (!Number.isSafeInteger(d['materialityPaise']) || (d['materialityPaise'] as number) < 0) add('.materialityPaise', `must be a non-negative integer number of paise, got ${JSON.stringify(d['materialityPaise'])}`);
  const types = d['types'];
  if (types === null || typeof types !== 'object' || Array.isArray(types) || Object.keys(types).length === 0) {
    add('.types', `must be an object naming at least one of ${DISPUTE_TYPES.join(', ')}`);
    return problems;
  }
  for (const [name, t] of Object.entries(types as Record<string, unknown>)) {
    const path = `.types.${name}`;
    if (!(DISPUTE_TYPES as readonly string[]).includes(name)) add(path, `is not a dispute type (${DISPUTE_TYPES.join(', ')})`);
    if (t === null || typeof t !== 'object' || Array.isArray(t)) {
      add(path, 'must be an object {deadlineMinutesAfterCutoff}');
      continue;
    }
    for (const k of Object.keys(t)) if (k !== 'deadlineMinutesAfterCutoff') add(`${path}.${k}`, 'unknown member (misspelt?)');
    const m = (t as Record<string, unknown>)['deadlineMinutesAfterCutoff'];
    if (!Number.isSafeInteger(m) || (m as number) < 0 || (m as number) > MAX_DEADLINE_MINUTES) add(`${path}.deadlineMinutesAfterCutoff`, `must be an integer from 0 to ${MAX_DEADLINE_MINUTES}, got ${JSON.stringify(m)}`);
  }
  return problems;
}
