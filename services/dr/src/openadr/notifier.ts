import type { Consumer, Kafka } from 'kafkajs';
import { TOPICS, topicName } from '@ies/contracts';
import { isIesError } from '@ies/errors';
import type { AvroSerde, LogSink } from '@ies/kafka';
import type { CallbackDelivery } from '@ies/webhooks';
import type { DrEventRecord } from '../event-store.js';
import { objectId } from './object-id.js';
import { toEvent, VEN_VISIBLE_STATES } from './projection.js';
import type { StoredObject } from './vtn-store.js';

/** A dr-events.v1 transition, as far as notifications need it. */
interface Transition {
  eventId: string;
  aggregatorId: string;
  version: number;
  state: string;
  previousState: string | null;
}

/** The 3.1 operation names and the 3.0.1 method names some clients subscribe with. */
const SAME_OPERATION: Record<string, string> = { CREATE: 'POST', UPDATE: 'PUT', DELETE: 'DELETE', READ: 'GET' };

/**
 * What a subscriber is told of one transition: null when it cannot see the event. A VEN
 * (aggregator) sees its own events from dispatch on: ACTIVE is their CREATE, later states an
 * UPDATE, a cancellation after dispatch a DELETE. The BL sees every state: DRAFT is the CREATE,
 * every later transition an UPDATE.
 */
export function operationFor(t: Transition, subscriber: { participantId: string; bl: boolean }): 'CREATE' | 'UPDATE' | 'DELETE' | null {
  if (subscriber.bl) return t.state === 'DRAFT' ? 'CREATE' : 'UPDATE';
  if (t.aggregatorId !== subscriber.participantId) return null;
  if (t.state === 'CANCELLED') return t.previousState !== null && t.previousState !== 'DRAFT' ? 'DELETE' : null;
  if (!VEN_VISIBLE_STATES.includes(t.state)) return null;
  return t.state === 'ACTIVE' ? 'CREATE' : 'UPDATE';
}

/** The callbacks one transition makes: one per matching object operation of each subscription. */
export function callbacksFor(discomId: string, t: Transition, record: DrEventRecord, subscriptions: readonly { object: StoredObject; ownerRole: string }[]): CallbackDelivery[] {
  const out: CallbackDelivery[] = [];
  const programID = objectId('program', record.programmeId);
  for (const { object: s, ownerRole: role } of subscriptions) {
    const participantId = s.clientID.slice(s.clientID.indexOf('/') + 1);
    if (role !== 'AGGREGATOR' && role !== 'DISCOM') continue;
    if (s.programID !== undefined && s.programID !== programID) continue;
    const operation = operationFor(t, { participantId, bl: role === 'DISCOM' });
    if (operation === null) continue;
    const object = toEvent(record);
    (s.objectOperations as { objects: string[]; operations: string[]; callbackUrl: string; bearerToken: string | null }[]).forEach((o, i) => {
      if (!o.objects.includes('EVENT') || !(o.operations.includes(operation) || o.operations.includes(SAME_OPERATION[operation]!))) return;
      out.push({
        discomId, clientId: s.clientID, orderKey: `openadr.${s.id}.${t.eventId}`, deliveryId: `openadr.${s.id}.${object.id as string}.v${t.version}.${i}`,
        url: o.callbackUrl, bearerToken: o.bearerToken,
        body: { objectType: 'EVENT', operation, object, targets: object.targets },
      });
    });
  }
  return out;
}

export interface NotifierDeps {
  kafka: Kafka;
  serde: AvroSerde;
  tenants: readonly string[];
  groupId: string;
  events: { get(discomId: string, eventId: string): Promise<DrEventRecord | undefined> };
  /** The tenant's subscriptions with their owners' roles (VtnStore.owned). */
  subscriptions: (discomId: string) => Promise<{ object: StoredObject; ownerRole: string }[]>;
  notify: (c: CallbackDelivery) => Promise<void>;
  log: LogSink;
  /** Where a new consumer group starts: the end (default: callbacks are about what happens from now on). */
  fromBeginning?: boolean;
}

/**
 * OpenADR subscriptions' callbacks for DR events: each dr-events.v1 transition becomes a
 * `notification` (openadr3.yaml) queued on the webhook delivery (retries, order per
 * subscription and event, the address policy). The event object is the event as it is now;
 * the offset is committed once every callback is queued.
 */
export async function startOpenAdrNotifier(deps: NotifierDeps): Promise<Consumer> {
  const sources = new Map(deps.tenants.map((t) => [topicName(t, TOPICS.drEvents), t]));
  const consumer = deps.kafka.consumer({ groupId: deps.groupId });
  await consumer.connect();
  await consumer.subscribe({ topics: [...sources.keys()], fromBeginning: deps.fromBeginning ?? false });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const discomId = sources.get(topic);
      if (!discomId || !message.value) return;
      let t: Transition;
      try {
        t = await deps.serde.decode<Transition>(message.value);
      } catch (err) {
        if (!isIesError(err) || err.retriable) throw err;
        deps.log.error({ err, topic, partition, offset: message.offset }, 'DR transition not notified to OpenADR subscribers: it cannot be decoded');
        return;
      }
      const subscriptions = await deps.subscriptions(discomId);
      if (subscriptions.length === 0) return;
      const record = await deps.events.get(discomId, t.eventId);
      if (!record) return;
      for (const c of callbacksFor(discomId, { ...t, version: Number(t.version) }, record, subscriptions)) await deps.notify(c);
    },
  });
  return consumer;
}
