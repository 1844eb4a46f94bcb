import { gunzipSync, gzipSync } from 'node:zlib';
import { IesError } from '@ies/errors';

/**
 * W3C Bitstring Status List v1.0: `encodedList` is the multibase base64url (`u`, no padding)
 * of the GZIP-compressed bitstring; index 0 is the most significant bit of the first byte.
 * A list is at least 16 KiB (131,072 entries) so one index says little about its holder.
 */
export const MIN_STATUS_LIST_ENTRIES = 131_072;

export function decodeStatusList(encodedList: string): Uint8Array {
  if (!encodedList.startsWith('u')) throw new IesError('IES_ERR_CREDENTIAL_STATUS_UNKNOWN', 'status list encodedList is not multibase base64url (it must start with "u")');
  try {
    return gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'));
  } catch (cause) {
    throw new IesError('IES_ERR_CREDENTIAL_STATUS_UNKNOWN', `status list encodedList is not a GZIP-compressed bitstring: ${(cause as Error).message}`, { cause });
  }
}

export function encodeStatusList(setIndices: Iterable<number>, entries = MIN_STATUS_LIST_ENTRIES): string {
  const bits = new Uint8Array(Math.ceil(entries / 8));
  for (const i of setIndices) {
    if (!Number.isSafeInteger(i) || i < 0 || i >= entries) throw new RangeError(`status index ${i} is outside a list of ${entries}`);
    bits[i >> 3] = (bits[i >> 3] as number) | (0x80 >> (i & 7));
  }
  return `u${gzipSync(bits).toString('base64url')}`;
}

export function statusBitSet(bits: Uint8Array, index: number): boolean {
  if (index >= bits.length * 8) throw new IesError('IES_ERR_CREDENTIAL_STATUS_UNKNOWN', `status index ${index} is outside the list of ${bits.length * 8} entries`);
  return ((bits[index >> 3] as number) & (0x80 >> (index & 7))) !== 0;
}

/** The status lists the registry holds for an issuer: statusListCredential URL → encodedList. */
export type StatusLists = (statusListCredential: string) => string | undefined;

/**
 * Checks a credential's `credentialStatus` against lists held locally (published by the
 * operator in the registry, never fetched). No status: nothing to check. Anything the node
 * cannot check is refused (fail closed): another type or purpose, a list it does not hold.
 */
export function checkCredentialStatus(credentialId: string, status: unknown, lists: StatusLists): void {
  if (status === undefined || status === null) return;
  for (const entry of Array.isArray(status) ? status : [status]) {
    const e = entry as Record<string, unknown>;
    if (e.type !== 'BitstringStatusListEntry') throw new IesError('IES_ERR_CREDENTIAL_STATUS_UNKNOWN', `credential ${credentialId}: credentialStatus type ${JSON.stringify(e.type)} is not checked by this node; use BitstringStatusListEntry`);
    if (e.statusPurpose !== 'revocation') throw new IesError('IES_ERR_CREDENTIAL_STATUS_UNKNOWN', `credential ${credentialId}: statusPurpose ${JSON.stringify(e.statusPurpose)} is not checked by this node; use revocation`);
    const index = typeof e.statusListIndex === 'string' && /^(0|[1-9][0-9]{0,9})$/.test(e.statusListIndex) ? Number(e.statusListIndex) : NaN;
    if (!Number.isSafeInteger(index)) throw new IesError('IES_ERR_CREDENTIAL_INVALID', `credential ${credentialId}: statusListIndex ${JSON.stringify(e.statusListIndex)} is not a decimal string`);
    const url = typeof e.statusListCredential === 'string' ? e.statusListCredential : '';
    const encoded = lists(url);
    if (encoded === undefined) throw new IesError('IES_ERR_CREDENTIAL_STATUS_UNKNOWN', `credential ${credentialId}: status list ${JSON.stringify(url)} is not one the registry holds for its issuer`, { details: { statusListCredential: url } });
    if (statusBitSet(decodeStatusList(encoded), index)) {
      throw new IesError('IES_ERR_CREDENTIAL_REVOKED', `credential ${credentialId} is revoked: bit ${index} of status list ${url} is set`, { details: { statusListCredential: url, statusListIndex: index } });
    }
  }
}
