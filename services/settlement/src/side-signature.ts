import { CompactSign, compactVerify, decodeProtectedHeader, type JWK } from 'jose';
import { parseStrictJson, type Ed25519Keys } from '@ies/crypto';
import { IesError } from '@ies/errors';
import { type SideAllocation } from './domain/allocation.js';
import { sideAllocationJson, validateSideAllocation } from './domain/side-allocation-check.js';

/** Media type in the `typ` header of a signed side allocation. */
export const SIDE_JWS_TYP = 'ies-p2p-side+jws';

/**
 * A side allocation signed by its DISCOM's settlement key: compact JWS, EdDSA, kid = the
 * key's RFC 7638 thumbprint, payload = the RFC 8785 bytes of the SideAllocation.
 */
export async function signSide(allocation: SideAllocation, keys: Ed25519Keys): Promise<string> {
  const privateKey = keys.privateKeys[0];
  const kid = keys.jwks[0]?.kid;
  if (privateKey === undefined || kid === undefined) throw new Error('settlement key file holds no key');
  return new CompactSign(new TextEncoder().encode(sideAllocationJson(allocation))).setProtectedHeader({ alg: 'EdDSA', kid, typ: SIDE_JWS_TYP }).sign(privateKey);
}

/** The SideAllocation a JWS carries, unverified: only to learn which DISCOM's keys to check it with. */
export function claimedSide(jws: string): { discomId: string; tradeId: string } {
  const parts = jws.split('.');
  try {
    if (parts.length !== 3) throw new Error(`a compact JWS has 3 parts, this one ${parts.length}`);
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { discomId?: unknown; tradeId?: unknown };
    if (typeof payload.discomId !== 'string' || typeof payload.tradeId !== 'string') throw new Error('payload names no discomId and tradeId');
    return { discomId: payload.discomId, tradeId: payload.tradeId };
  } catch (cause) {
    throw new IesError('IES_ERR_P2P_SIDE_INVALID', `side allocation is not a readable compact JWS: ${(cause as Error).message}`, { cause });
  }
}

/**
 * Verifies a side allocation JWS against the sender DISCOM's trusted settlement keys, then
 * checks the message itself (validateSideAllocation) and that the signed bytes are its
 * canonical JSON. Throws IES_ERR_P2P_SIDE_UNTRUSTED or IES_ERR_P2P_SIDE_INVALID.
 */
export async function verifySide(jws: string, trusted: readonly JWK[]): Promise<SideAllocation> {
  let header;
  try {
    header = decodeProtectedHeader(jws);
  } catch (cause) {
    throw new IesError('IES_ERR_P2P_SIDE_INVALID', `side allocation JWS header does not decode: ${(cause as Error).message}`, { cause });
  }
  if (header.typ !== SIDE_JWS_TYP || header.alg !== 'EdDSA') throw new IesError('IES_ERR_P2P_SIDE_INVALID', `side allocation JWS has typ ${JSON.stringify(header.typ)} and alg ${JSON.stringify(header.alg)}; expected ${SIDE_JWS_TYP} and EdDSA`);
  const jwk = trusted.find((k) => k.kid === header.kid);
  if (!jwk) throw new IesError('IES_ERR_P2P_SIDE_UNTRUSTED', `side allocation is signed by kid ${JSON.stringify(header.kid)}, which is not among the ${trusted.length} settlement key(s) trusted for its DISCOM`);
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jws, jwk, { algorithms: ['EdDSA'] }));
  } catch (cause) {
    throw new IesError('IES_ERR_P2P_SIDE_UNTRUSTED', `side allocation signature does not verify with kid ${header.kid}: ${(cause as Error).message}`, { cause });
  }
  const text = Buffer.from(payload).toString('utf8');
  let value: unknown;
  try {
    value = parseStrictJson(text);
  } catch (cause) {
    throw new IesError('IES_ERR_P2P_SIDE_INVALID', `side allocation payload is not JSON: ${(cause as Error).message}`, { cause });
  }
  const checked = validateSideAllocation(value);
  if (!checked.ok) throw new IesError('IES_ERR_P2P_SIDE_INVALID', `side allocation invalid: ${checked.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, { details: { problems: checked.problems } });
  if (sideAllocationJson(checked.allocation) !== text) throw new IesError('IES_ERR_P2P_SIDE_INVALID', 'side allocation payload is not the RFC 8785 JSON of the allocation');
  return checked.allocation;
}
