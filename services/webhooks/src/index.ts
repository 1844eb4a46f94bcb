export { startWebhookRelay, openCallbackQueue, type CallbackDelivery, type WebhookRelay, type WebhookRelayOptions } from './relay.js';
export { WebhookRegistry, type WebhookRegistration } from './webhook-registry.js';
export { validateWebhookUrl, type WebhookUrlPolicy } from './domain/webhook-url.js';
export { addressRefusal, type AddressPolicy } from './domain/webhook-address.js';
export { deliveryId, RELAYED_TOPICS, type RelayedTopic } from './domain/delivery-id.js';
export { WEBHOOK_DELIVERY_QUEUE, DEFAULT_RETRY, type DeliveryJobData } from './delivery-queue.js';
export type { DeliveryOutcome } from './delivery-worker.js';
export type { WebhookSigningKey } from './signed-post.js';
export { webhookKeys } from './redis-keys.js';
