import { IesError } from '@ies/errors';
import { addressRefusal, isLoopbackName, parseIp, parseNetwork, type AddressPolicy } from './webhook-address.js';

export interface WebhookUrlPolicy {
  /**
   * Accept loopback receivers, and plain http to 127.0.0.1, ::1 or localhost. For local
   * testing only: in production every webhook is https to a public address, so the signed
   * body is also confidential in transit and cannot reach the node's own services.
   */
  allowLoopbackHttp: boolean;
  /** Non-public networks (CIDR) an operator allows receivers in, e.g. an aggregator's leased line. */
  allowedNetworks: readonly string[];
}

/** The address rules of a URL policy; a malformed network is a configuration error. */
export function addressPolicyOf(policy: Partial<WebhookUrlPolicy>): AddressPolicy {
  const allowedNetworks = (policy.allowedNetworks ?? []).map((text) => {
    const net = parseNetwork(text);
    if (net === undefined) throw new IesError('IES_ERR_CONFIG_INVALID', `webhook allowed network ${JSON.stringify(text)} is not a CIDR such as 10.20.0.0/16 or fd00:1::/48`);
    return net;
  });
  return Object.freeze({ allowLoopback: policy.allowLoopbackHttp ?? false, allowedNetworks: Object.freeze(allowedNetworks) });
}

/**
 * Refuses a host that is, by its text alone, not allowed: an IP literal outside the public
 * (or allowed) ranges, or a localhost name. Other names are resolved by the caller.
 */
export function checkWebhookHost(hostname: string, policy: AddressPolicy): void {
  const why = parseIp(hostname) !== undefined ? addressRefusal(hostname, policy)
    : isLoopbackName(hostname) && !policy.allowLoopback ? `${hostname} is loopback` : undefined;
  if (why !== undefined) throw new IesError('IES_ERR_WEBHOOK_ADDRESS_FORBIDDEN', `"url" host ${why}; webhooks go to public addresses only (an operator may allow networks with IES_WEBHOOK_ALLOWED_NETWORKS)`, { details: { host: hostname } });
}

export const WEBHOOK_URL_MAX_LENGTH = 2048;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The normalised webhook URL, or IES_ERR_VALIDATION saying what is wrong (or
 * IES_ERR_WEBHOOK_ADDRESS_FORBIDDEN for a non-public IP literal or localhost). https only
 * (http only to loopback when the policy allows it); no user:password (credentials in a
 * URL end up in logs and job data) and no fragment (never sent to the server).
 */
export function validateWebhookUrl(raw: unknown, policy: Pick<WebhookUrlPolicy, 'allowLoopbackHttp'> & Partial<WebhookUrlPolicy>): string {
  if (typeof raw !== 'string' || raw.length === 0) throw new IesError('IES_ERR_VALIDATION', '"url" must be a non-empty string');
  if (raw.length > WEBHOOK_URL_MAX_LENGTH) throw new IesError('IES_ERR_VALIDATION', `"url" is ${raw.length} characters; at most ${WEBHOOK_URL_MAX_LENGTH} are allowed`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new IesError('IES_ERR_VALIDATION', `"url" ${JSON.stringify(raw)} is not an absolute URL`);
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol === 'http:') {
    if (!loopback) throw new IesError('IES_ERR_VALIDATION', `"url" must use https (got http to ${url.hostname})`);
    if (!policy.allowLoopbackHttp) throw new IesError('IES_ERR_VALIDATION', `"url" must use https; http to ${url.hostname} is only accepted on a local test node`);
  } else if (url.protocol !== 'https:') {
    throw new IesError('IES_ERR_VALIDATION', `"url" must use https (got ${url.protocol.replace(/:$/, '')})`);
  }
  if (url.username !== '' || url.password !== '') throw new IesError('IES_ERR_VALIDATION', '"url" must not carry credentials (user:password@); the node signs every delivery instead');
  if (url.hash !== '') throw new IesError('IES_ERR_VALIDATION', '"url" must not have a #fragment');
  checkWebhookHost(url.hostname, addressPolicyOf(policy));
  return url.toString();
}
