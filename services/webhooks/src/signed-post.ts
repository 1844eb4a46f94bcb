import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { signDetached, type KeyPair } from '@ies/crypto';
import { IesError } from '@ies/errors';
import { checkedLookup, type Resolve } from './checked-lookup.js';
import type { AddressPolicy } from './domain/webhook-address.js';
import { checkWebhookHost } from './domain/webhook-url.js';

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
  /** Where the POST may go; checked on the address actually connected to. */
  addressPolicy: AddressPolicy;
  /** Name resolution (default: the system resolver). */
  resolve?: Resolve;
  /** Sent as `Authorization: Bearer …` when given (an OpenADR subscription's bearerToken). */
  bearerToken?: string | null;
}

/**
 * POSTs `body` with `X-IES-Signature` (detached JWS over the exact body bytes). Resolves on a
 * 2xx answer; anything else (other status, redirect, timeout, refused connection) is a
 * retriable IES_ERR_DEPENDENCY_UNAVAILABLE. Redirects are not followed: the registered URL
 * is the only place a signed message goes. The host is resolved and checked again here
 * (IES_ERR_WEBHOOK_ADDRESS_FORBIDDEN), and the connection goes to the checked address.
 */
export async function postSigned(post: SignedPost): Promise<number> {
  const url = new URL(post.url);
  const target = url.origin; // the path and query may hold a receiver's token: not logged
  checkWebhookHost(url.hostname, post.addressPolicy); // an IP literal is connected to without a lookup
  const signature = await signDetached(post.body, post.key, { iat: Math.floor(post.nowMs / 1000), jti: post.jti, htm: 'POST', htu: url.pathname, tenant: post.tenant });
  let response: IncomingMessage;
  try {
    response = await new Promise<IncomingMessage>((resolve, reject) => {
      const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(post.body.byteLength), 'x-ies-signature': signature, ...(post.bearerToken ? { authorization: `Bearer ${post.bearerToken}` } : {}) },
        lookup: checkedLookup(post.addressPolicy, post.resolve),
        signal: AbortSignal.timeout(post.timeoutMs),
      });
      request.once('response', resolve);
      request.once('error', reject);
      request.end(post.body);
    });
  } catch (cause) {
    if (cause instanceof IesError) throw cause;
    throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `webhook ${target} did not answer message ${post.jti} within ${post.timeoutMs} ms: ${(cause as Error).message}`, { cause });
  }
  response.resume(); // the answer's body is not read; drain it so the connection is released
  const status = response.statusCode ?? 0;
  if (status < 200 || status > 299) {
    throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `webhook ${target} answered ${status} to message ${post.jti}; only 2xx counts as delivered`, { details: { status } });
  }
  return status;
}
