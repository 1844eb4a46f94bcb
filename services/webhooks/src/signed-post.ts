import { signDetached, type KeyPair } from '@ies/crypto';
import { IesError } from '@ies/errors';

export type WebhookSigningKey = Pick<KeyPair, 'kid' | 'alg' | 'privateKey'>;

export interface SignedPost {
  url: string;
  body: Uint8Array;
  /** Message id: the JWS `jti`, the same on every attempt of one message. */
  jti: string;
  /** The DISCOM the message is about (the JWS `tenant`, with `htm`/`htu` binding it to this POST). */
  tenant: string;
  key: WebhookSigningKey;
  nowMs: number;
  timeoutMs: number;
}

/**
 * POSTs `body` with `X-IES-Signature` (detached JWS over the exact bytes). Resolves on a
 * 2xx answer; anything else (other status, redirect, timeout, refused connection) is a
 * retriable IES_ERR_DEPENDENCY_UNAVAILABLE. Redirects are not followed: the registered URL
 * is the only place a signed message goes.
 */
export async function postSigned(post: SignedPost): Promise<number> {
  const signature = await signDetached(post.body, post.key, { iat: Math.floor(post.nowMs / 1000), jti: post.jti, htm: 'POST', htu: new URL(post.url).pathname, tenant: post.tenant });
  const target = new URL(post.url).origin; // the path and query may hold a receiver's token: not logged
  let response: Response;
  try {
    response = await fetch(post.url, {
      method: 'POST',
      body: post.body,
      headers: { 'content-type': 'application/json', 'x-ies-signature': signature },
      redirect: 'manual',
      signal: AbortSignal.timeout(post.timeoutMs),
    });
  } catch (cause) {
    throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `webhook ${target} did not answer message ${post.jti} within ${post.timeoutMs} ms: ${(cause as Error).message}`, { cause });
  }
  await response.body?.cancel().catch(() => {});
  if (response.status < 200 || response.status > 299) {
    throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `webhook ${target} answered ${response.status} to message ${post.jti}; only 2xx counts as delivered`, { details: { status: response.status } });
  }
  return response.status;
}
