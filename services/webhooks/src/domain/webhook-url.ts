import { IesError } from '@ies/errors';

export interface WebhookUrlPolicy {
  /**
   * Accept plain http to 127.0.0.1, ::1 or localhost. For local testing only: in production
   * every webhook is https, so the signed body is also confidential in transit.
   */
  allowLoopbackHttp: boolean;
}

export const WEBHOOK_URL_MAX_LENGTH = 2048;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The normalised webhook URL, or IES_ERR_VALIDATION saying what is wrong. https only
 * (http only to loopback when the policy allows it); no user:password (credentials in a
 * URL end up in logs and job data) and no fragment (never sent to the server).
 */
export function validateWebhookUrl(raw: unknown, policy: WebhookUrlPolicy): string {
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
  return url.toString();
}
