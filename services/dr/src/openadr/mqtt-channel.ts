import type { Redis } from '@ies/redis';
import type { MqttMessage } from './object-change.js';

/**
 * The node's MQTT notifications pass through this Redis channel: whichever process found a
 * change (the DR service's Kafka notifier, a VTN request in the node's HTTP server) publishes
 * here, and every broker of the node (mqtt-broker.ts, in each DR process) hands the messages
 * to its connected clients. Redis requires credentials; nothing else writes the channel.
 * Like MQTT QoS 0 to a client that is not connected, a message no broker hears is not kept.
 */
export const MQTT_CHANNEL = 'ies:node:openadr:mqtt';

export async function publishMqtt(redis: Redis, messages: readonly MqttMessage[]): Promise<void> {
  if (messages.length > 0) await redis.publish(MQTT_CHANNEL, JSON.stringify(messages));
}
