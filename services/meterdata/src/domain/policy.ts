import { IesError } from '@ies/errors';
import type { IngestPolicy } from './types.js';

/** An ingest policy comes from configuration; a bad one is a deployment error, not bad input. */
export function assertPolicy(policy: IngestPolicy): void {
  const problems: string[] = [];
  if (!Number.isSafeInteger(policy.nowMs)) problems.push(`nowMs ${policy.nowMs} is not an epoch millisecond`);
  if (policy.halfHourProfiles !== 'REJECT' && policy.halfHourProfiles !== 'SPLIT_EVEN') problems.push(`halfHourProfiles ${JSON.stringify(policy.halfHourProfiles)} is not REJECT or SPLIT_EVEN`);
  if (!Number.isFinite(policy.plausibilityMargin) || policy.plausibilityMargin <= 0) problems.push(`plausibilityMargin ${policy.plausibilityMargin} is not a positive number`);
  if (problems.length > 0) throw new IesError('IES_ERR_CONFIG_INVALID', `ingest policy: ${problems.join('; ')}`, { details: { problems } });
}
