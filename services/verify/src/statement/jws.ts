import { Buffer } from 'buffer';
/**
 * Signed statements as an auditor checks them: the payload of a compact JWS (RFC 7515) is the
 * RFC 8785 bytes of the statement, EdDSA, `typ` ies-statement+jws, `kid` the RFC 7638
 * thumbprint of the DISCOM's settlement key (settlement signs them: statement-signing.ts).
 *
 * Verification needs the DISCOM's public keys alone (its /.well-known/jwks.json, where the
 * settlement keys carry "ies:role": "SETTLEMENT"): a key of another role (a head-end's, the
 * notary's) does not make a statement.
 */
import { sha256Hex } from '#crypto';
import { base64url, compactVerify, decodeProtectedHeader, type JWK } from 'jose';
import { canonicalJson } from '@ies/crypto';
import { checkZeroSum } from './balances.js';
import { STATEMENT_SCHEMA, statementId, type StatementContent } from './content.js';

export const STATEMENT_TYP = 'ies-statement+jws';
/** The `ies:role` of settlement keys in a JWKS. */
export const SETTLEMENT_KEY_ROLE = 'SETTLEMENT';

/** The canonical JSON a compact JWS carries (no signature check). */
export function statementJsonOfJws(jws: string): string {
  const payload = jws.split('.')[1];
  if (payload === undefined) throw new RangeError('a compact JWS has three parts');
  return new TextDecoder().decode(base64url.decode(payload));
}

export type StatementCheckCode = 'MALFORMED' | 'UNKNOWN_KEY' | 'NOT_SETTLEMENT_KEY' | 'BAD_SIGNATURE' | 'NOT_CANONICAL' | 'NOT_A_STATEMENT' | 'NOT_BALANCED';

export type StatementCheck =
  | { readonly ok: true; readonly kid: string; readonly content: StatementContent; readonly json: string; readonly sha256: string }
  | { readonly ok: false; readonly code: StatementCheckCode; readonly reason: string };

/**
 * Everything an auditor checks with public keys alone: the signature under a settlement key
 * of `jwks`, that the payload is exactly the canonical JSON of itself, that it is a statement
 * whose id matches its DISCOM, scope and version, and that its flows sum to zero.
 */
export async function verifyStatementJws(jws: string, jwks: readonly JWK[]): Promise<StatementCheck> {
  let header;
  try {
    header = decodeProtectedHeader(jws.trim());
  } catch (err) {
    return { ok: false, code: 'MALFORMED', reason: `not a compact JWS: ${(err as Error).message}` };
  }
  if (header.typ !== STATEMENT_TYP || header.alg !== 'EdDSA') return { ok: false, code: 'MALFORMED', reason: `header typ ${JSON.stringify(header.typ)} alg ${JSON.stringify(header.alg)}; a statement is typ ${STATEMENT_TYP}, alg EdDSA` };
  const jwk = jwks.find((k) => k.kid === header.kid);
  if (!jwk) return { ok: false, code: 'UNKNOWN_KEY', reason: `signed by kid ${JSON.stringify(header.kid)}, which is not among the ${jwks.length} key(s) of the JWKS` };
  if ((jwk as Record<string, unknown>)['ies:role'] !== SETTLEMENT_KEY_ROLE) return { ok: false, code: 'NOT_SETTLEMENT_KEY', reason: `kid ${header.kid} is a ${String((jwk as Record<string, unknown>)['ies:role'] ?? 'participant')} key, not a settlement key` };
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jws.trim(), jwk, { algorithms: ['EdDSA'] }));
  } catch (err) {
    return { ok: false, code: 'BAD_SIGNATURE', reason: `the signature does not verify with kid ${header.kid}: ${(err as Error).message}` };
  }
  const json = Buffer.from(payload).toString('utf8');
  let content: StatementContent;
  try {
    content = JSON.parse(json) as StatementContent;
  } catch (err) {
    return { ok: false, code: 'NOT_CANONICAL', reason: `the payload is not JSON: ${(err as Error).message}` };
  }
  if (canonicalJson(content) !== json) return { ok: false, code: 'NOT_CANONICAL', reason: 'the payload is not the RFC 8785 canonical JSON of itself' };
  if (content.schema !== STATEMENT_SCHEMA || typeof content.discomId !== 'string' || typeof content.scope !== 'object' || !Array.isArray(content.lines)) {
    return { ok: false, code: 'NOT_A_STATEMENT', reason: `the payload is not a ${STATEMENT_SCHEMA} document` };
  }
  if (content.id !== statementId(content.discomId, content.scope, content.version, content.run?.name)) return { ok: false, code: 'NOT_A_STATEMENT', reason: `id ${content.id} does not match its DISCOM, scope, version and run` };
  const balance = checkZeroSum(content);
  if (!balance.ok) return { ok: false, code: 'NOT_BALANCED', reason: balance.problems.slice(0, 5).join('; ') };
  return { ok: true, kid: header.kid as string, content, json, sha256: sha256Hex(payload) };
}
