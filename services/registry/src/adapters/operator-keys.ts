import { readFile } from 'node:fs/promises';
import type { KeyResolver } from '@ies/crypto';
import { IesError } from '@ies/errors';

type JWK = NonNullable<Awaited<ReturnType<KeyResolver>>>;

/**
 * The node operator's public keys (the JWKS file `IES_OPERATOR_JWKS_FILE`), read on every
 * use: replacing the file rotates the operator key without a restart. Keys marked
 * `status: REVOKED` are left out. Registry documents are re-verified on every replay of
 * registry.v1, so a rotated-out key must stay listed (not REVOKED) for as long as documents
 * it signed are in the topic; mark it REVOKED only when it is compromised (and re-apply
 * what it signed with the new key).
 */
export async function readOperatorKeys(file: string): Promise<Map<string, JWK>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new IesError('IES_ERR_CONFIG_INVALID', `operator JWKS ${file} cannot be read (IES_OPERATOR_JWKS_FILE); create it with 'ies keys generate --operator'`, { cause });
  }
  let jwks: { keys?: Record<string, unknown>[] };
  try {
    jwks = JSON.parse(text) as typeof jwks;
  } catch (cause) {
    throw new IesError('IES_ERR_CONFIG_INVALID', `operator JWKS ${file} is not JSON`, { cause });
  }
  return new Map((jwks.keys ?? []).filter((k) => typeof k.kid === 'string' && k.status !== 'REVOKED').map((k) => [k.kid as string, k as JWK]));
}
