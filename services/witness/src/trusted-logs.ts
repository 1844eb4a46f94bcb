import { createHash } from 'node:crypto';
import { IesError } from '@ies/errors';
import { parseVerifierKey, type NoteVerifier } from '@ies/verify';

export interface TrustedLogs {
  /** The log keys of an origin; undefined when the witness does not watch it. */
  keysOf(origin: string): readonly NoteVerifier[] | undefined;
  /** The origin whose lowercase hex SHA-256 is `hash` (the monitoring path's form). */
  originOfHash(hash: string): string | undefined;
  readonly origins: readonly string[];
}

/**
 * The logs this witness watches, from the configured vkeys (IES_WITNESS_LOGS): a vkey's key
 * name is its log's origin, as the notary names its keys; several vkeys of one origin are
 * all trusted (the log's key rotation). Every bad key is reported at once.
 */
export function trustedLogs(vkeys: readonly string[]): TrustedLogs {
  const byOrigin = new Map<string, NoteVerifier[]>();
  const problems: string[] = [];
  for (const vkey of vkeys) {
    try {
      const key = parseVerifierKey(vkey);
      byOrigin.set(key.name, [...(byOrigin.get(key.name) ?? []), key]);
    } catch (err) {
      problems.push(`IES_WITNESS_LOGS entry ${JSON.stringify(vkey)}: ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) throw new IesError('IES_ERR_CONFIG_INVALID', `invalid configuration: ${problems.join('; ')}`, { details: { problems } });
  const byHash = new Map([...byOrigin.keys()].map((o) => [originHash(o), o]));
  return { keysOf: (o) => byOrigin.get(o), originOfHash: (h) => byHash.get(h), origins: [...byOrigin.keys()] };
}

export function originHash(origin: string): string {
  return createHash('sha256').update(origin).digest('hex');
}
