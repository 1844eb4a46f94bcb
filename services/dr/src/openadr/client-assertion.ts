import { jwtVerify, type JWK } from 'jose';
import { registeredJwtKey } from '@ies/http/auth';
import type { RegistryState } from '@ies/registry';

/** A client assertion may live at most this long (RFC 7523 §3 leaves the bound to the server). */
const MAX_ASSERTION_SECONDS = 300;

/**
 * RFC 7523 §2.2 / §3 client authentication: a JWT signed by one of the participant's
 * registered, active keys (EdDSA or ES256), `iss` = `sub` = its client id `<discom>/<participant>`, `aud` = the
 * token endpoint URL or the node id, `exp` at most 5 minutes ahead. Null when it does not
 * verify (the token endpoint answers invalid_client without saying why).
 */
export async function verifyClientAssertion(registry: RegistryState, jwt: string, audiences: readonly string[], nowMs: number): Promise<{ discomId: string; participantId: string } | null> {
  try {
    const { key, alg } = registeredJwtKey(registry, jwt, 'IES_ERR_TOKEN_INVALID', 'client assertion');
    if (key.status !== 'ACTIVE') return null;
    const { payload } = await jwtVerify(jwt, key.jwk as JWK, { algorithms: [alg], issuer: `${key.discomId}/${key.participantId}`, subject: `${key.discomId}/${key.participantId}`, audience: [...audiences], requiredClaims: ['exp'], currentDate: new Date(nowMs), clockTolerance: 30 });
    if ((payload.exp as number) - Math.floor(nowMs / 1000) > MAX_ASSERTION_SECONDS) return null;
    return { discomId: key.discomId, participantId: key.participantId };
  } catch {
    return null;
  }
}
