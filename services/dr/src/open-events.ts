/**
 * The Redis set of a tenant's events waiting to be measured: the baseline worker adds an
 * event when it baselines it, the performance sweep measures and removes it. Its own file
 * so that the two workers share it without importing each other.
 */
export function openKey(discomId: string): string {
  return `ies:${discomId}:dr:open`;
}
