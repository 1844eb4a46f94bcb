/**
 * Redis key names of this package (wire names: never rename without a migration note).
 * Aggregator ids are topic-safe ids (no ':'), so a registration key never collides with
 * the per-event keys below.
 */
export const webhookKeys = {
  /** String: the public JWK of the node's webhook signing key, for the tenants' JWKS (written where the key is loaded). */
  nodePublicKey: 'ies:node:webhook-key',
  /** String: JSON `{ url, registeredAt }` of an aggregator's webhook. */
  registration: (discom: string, aggregatorId: string) => `ies:${discom}:webhook:${aggregatorId}`,
  /** Counter: the last delivery number handed out for an event. */
  sequence: (discom: string, eventId: string) => `ies:${discom}:webhook:seq:${eventId}`,
  /** Hash: delivery id → its number, so a redelivered record gets the number it had. */
  assigned: (discom: string, eventId: string) => `ies:${discom}:webhook:assigned:${eventId}`,
  /** Counter: every number up to this one is settled (delivered or given up). */
  settled: (discom: string, eventId: string) => `ies:${discom}:webhook:delivered:${eventId}`,
} as const;
