import { randomUUID } from 'node:crypto';
import { SignJWT, importJWK, jwtVerify, type JWK } from 'jose';
import { exportPrivateJwk, generateSigningKey } from '@ies/crypto';
import { IesError } from '@ies/errors';
import type { Redis } from '@ies/redis';
import type { OpenAdrScope } from './scopes.js';

/** Access tokens live 5 minutes (the same bound as our participants' own bearer tokens). */
export const ACCESS_TOKEN_SECONDS = 300;
const AUDIENCE = 'openadr-3.1';
/**
 * The node's OpenADR token key (an Ed25519 private JWK), shared by every gateway of the node
 * through Redis, which requires credentials; created by the first gateway that needs it.
 * Only the node verifies these tokens, so the public half is not published.
 */
const TOKEN_KEY = 'ies:node:openadr:token-key';

export interface AccessClaims {
  readonly discomId: string;
  readonly participantId: string;
  readonly scopes: readonly OpenAdrScope[];
  /** When the token stops being valid (set on verified tokens). */
  readonly expiresAtMs?: number;
}

type JoseKey = Awaited<ReturnType<typeof importJWK>>;
type SigningKey = { kid: string; privateKey: JoseKey; publicKey: JoseKey };

/** Issues and checks the node's OpenADR access tokens (JWT, EdDSA, `iss` = the node, `sub` = `<discom>/<participant>`). */
export class AccessTokens {
  private key: Promise<SigningKey> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly nodeId: string,
  ) {}

  private signingKey(): Promise<SigningKey> {
    this.key ??= (async () => {
      const fresh = await exportPrivateJwk(await generateSigningKey('EdDSA'));
      await this.redis.set(TOKEN_KEY, JSON.stringify(fresh), 'NX');
      const jwk = JSON.parse((await this.redis.get(TOKEN_KEY)) as string) as JWK;
      const { d: _d, ...pub } = jwk;
      return { kid: jwk.kid as string, privateKey: await importJWK(jwk, 'EdDSA'), publicKey: await importJWK(pub, 'EdDSA') };
    })().catch((err: unknown) => {
      this.key = undefined;
      throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `the OpenADR token key could not be read from Redis: ${(err as Error).message}`, { cause: err, details: { retryAfterSeconds: 5 } });
    });
    return this.key;
  }

  async issue(claims: AccessClaims, nowMs: number): Promise<string> {
    const key = await this.signingKey();
    const iat = Math.floor(nowMs / 1000);
    return new SignJWT({ scope: claims.scopes.join(' '), tenant: claims.discomId })
      .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'at+jwt' })
      .setIssuer(this.nodeId).setAudience(AUDIENCE).setSubject(`${claims.discomId}/${claims.participantId}`)
      .setIssuedAt(iat).setExpirationTime(iat + ACCESS_TOKEN_SECONDS).setJti(randomUUID())
      .sign(key.privateKey);
  }

  /** The claims of `Authorization: Bearer <token>`; 401 when absent, forged, expired or not ours. */
  async verify(authorization: string | undefined, nowMs: number): Promise<AccessClaims> {
    const match = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(authorization ?? '');
    if (!match) throw new IesError('IES_ERR_AUTH_MISSING', 'OpenADR requests need Authorization: Bearer <access token from /openadr/3.1/auth/token>');
    const key = await this.signingKey();
    let payload;
    try {
      ({ payload } = await jwtVerify(match[1] as string, key.publicKey, { algorithms: ['EdDSA'], issuer: this.nodeId, audience: AUDIENCE, typ: 'at+jwt', requiredClaims: ['exp', 'sub'], currentDate: new Date(nowMs) }));
    } catch (cause) {
      throw new IesError('IES_ERR_TOKEN_INVALID', `access token rejected: ${(cause as Error).message}; get a new one from /openadr/3.1/auth/token`, { cause });
    }
    const sub = payload.sub as string;
    const slash = sub.indexOf('/');
    return { discomId: sub.slice(0, slash), participantId: sub.slice(slash + 1), scopes: String(payload.scope ?? '').split(' ').filter((s) => s !== '') as OpenAdrScope[], expiresAtMs: (payload.exp as number) * 1000 };
  }
}
