import { cosignatureLine, type Cosigner } from '@ies/verify';

/**
 * The add-checkpoint answer: one cosignature/v1 line per witness key (newest first, so a log
 * that trusts either key during a rotation gets a line it can check), all with one timestamp.
 * The spec forbids a zero timestamp on this answer.
 */
export function cosign(checkpointBody: string, cosigners: readonly Cosigner[], timestampSeconds: number): string {
  if (cosigners.length === 0) throw new RangeError('the witness has no key to cosign with');
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds <= 0) throw new RangeError(`cosignature timestamp ${timestampSeconds} must be a positive number of seconds`);
  return cosigners.map((c) => cosignatureLine(checkpointBody, c, timestampSeconds)).join('');
}
