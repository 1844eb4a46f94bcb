import type { Redis } from 'ioredis';
import { isTopicSafeId } from '@ies/contracts';
import { IesError } from '@ies/errors';
import { parseIp, type AddressPolicy } from './domain/webhook-address.js';
import { addressPolicyOf, validateWebhookUrl, type WebhookUrlPolicy } from './domain/webhook-url.js';
import { checkResolvedHost } from './checked-lookup.js';
import { webhookKeys } from './redis-keys.js';

export interface WebhookRegistration {
  url: string;
  /** ISO 8601 instant of the (latest) registration. */
  registeredAt: string;
}

/** One webhook per aggregator and tenant, in Redis (`ies:<discom>:webhook:<aggregatorId>`). */
export class WebhookRegistry {
  private readonly policy: Readonly<WebhookUrlPolicy>;
  /** Where deliveries may go: the same rules, checked again on every POST. */
  readonly addressPolicy: AddressPolicy;

  constructor(
    private readonly redis: Redis,
    policy: Partial<WebhookUrlPolicy> = {},
  ) {
    this.policy = Object.freeze({ allowLoopbackHttp: policy.allowLoopbackHttp ?? false, allowedNetworks: Object.freeze([...(policy.allowedNetworks ?? [])]) });
    this.addressPolicy = addressPolicyOf(this.policy);
  }

  /**
   * Registers (or replaces) the aggregator's webhook; refuses an unacceptable URL, and one
   * whose host is or resolves to a non-public address (IES_ERR_WEBHOOK_ADDRESS_FORBIDDEN).
   */
  async registerWebhook(discom: string, aggregatorId: string, rawUrl: unknown, nowMs: number = Date.now()): Promise<WebhookRegistration> {
    const url = validateWebhookUrl(rawUrl, this.policy);
    const host = new URL(url).hostname;
    if (parseIp(host) === undefined) await checkResolvedHost(host, this.addressPolicy, RESOLVE_TIMEOUT_MS);
    const registration: WebhookRegistration = { url, registeredAt: new Date(nowMs).toISOString() };
    await this.redis.set(key(discom, aggregatorId), JSON.stringify(registration));
    return registration;
  }

  /** Removes the webhook; false when there was none. */
  async unregister(discom: string, aggregatorId: string): Promise<boolean> {
    return (await this.redis.del(key(discom, aggregatorId))) === 1;
  }

  async get(discom: string, aggregatorId: string): Promise<WebhookRegistration | undefined> {
    const raw = await this.redis.get(key(discom, aggregatorId));
    return raw === null ? undefined : (JSON.parse(raw) as WebhookRegistration);
  }
}

const RESOLVE_TIMEOUT_MS = 3_000;

function key(discom: string, aggregatorId: string): string {
  if (!isTopicSafeId(aggregatorId)) throw new IesError('IES_ERR_VALIDATION', `aggregator id ${JSON.stringify(aggregatorId)} must be 1–100 letters, digits, '.', '_' or '-'`);
  return webhookKeys.registration(discom, aggregatorId);
}
