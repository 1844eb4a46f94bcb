import type { Consumer, Kafka } from 'kafkajs';
import { TOPICS, topicName } from '@ies/contracts';
import { isIesError } from '@ies/errors';
import type { AvroSerde, LogSink } from '@ies/kafka';
import type { CallbackDelivery } from '@ies/webhooks';
import type { DrEventRecord } from '../event-store.js';
import { objectId } from './object-id.js';
import { toEvent, VEN_VISIBLE_STATES } from './projection.js';
import { callbacksFor, mqttMessagesFor, type MqttMessage, type ObjectChange, type Operation, type Viewer } from './object-change.js';
import type { StoredObject } from './vtn-store.js';

/** A dr-events.v1 transition, as far as notifications need it. */
interface Transition {
  eventId: string;
  aggregatorId: string;
  version: number;
  state: string;
  previousState: string | null;
}

/**
 * What a subscriber is told of one transition: null when it cannot see the event. A VEN
 * (aggregator) sees its own events from dispatch on: ACTIVE is their CREATE, later states an
 * UPDATE, a cancellation after dispatch a DELETE. The BL sees every state: DRAFT is the CREATE,
 * every later transition an UPDATE.
 */
export function operationFor(t: Transition, subscriber: Viewer): Operation | null {
  if (subscriber.bl) return t.state === 'DRAFT' ? 'CREATE' : 'UPDATE';
  if (t.aggregatorId !== subscriber.participantId) return null;
  if (t.state === 'CANCELLED') return t.previousState !== null && t.previousState !== 'DRAFT' ? 'DELETE' : null;
  if (!VEN_VISIBLE_STATES.includes(t.state)) return null;
  return t.state === 'ACTIVE' ? 'CREATE' : 'UPDATE';
}

/** A dr-events.v1 transition as an EVENT change: the event as it is now. */
export function eventChange(discomId: string, t: Transition, record: DrEventRecord): ObjectChange {
  const object = toEvent(record);
  return {
    discomId, objectType: 'EVENT', objectId: object.id as string, changeId: `v${t.version}`, programID: objectId('program', record.programmeId), vens: [t.aggregatorId],
    seenBy: (v) => {
      const operation = operationFor(t, v);
      return operation === null ? null : { operation, object };
    },
  };
}

/**
 * A report the VTN made (the event's baselines on BASELINED, a performance version on
 * MEASURED) as a REPORT CREATE, seen by the event's aggregator once it sees the event, and the BL.
 */
export function vtnReportChange(discomId: string, record: DrEventRecord, report: Record<string, unknown>): ObjectChange {
  return {
    discomId, objectType: 'REPORT', objectId: report.id as string, changeId: 'created', programID: objectId('program', record.programmeId), vens: [record.aggregatorId],
    seenBy: (v) => (v.bl || (v.participantId === record.aggregatorId && VEN_VISIBLE_STATES.includes(record.state)) ? { operation: 'CREATE', object: report } : null),
  };
}

/** The callbacks one transition makes (its EVENT change): one per matching object operation of each subscription. */
export function eventCallbacksFor(discomId: string, t: Transition, record: DrEventRecord, subscriptions: readonly { object: StoredObject; ownerRole: string }[]): CallbackDelivery[] {
  return callbacksFor(eventChange(discomId, t, record), subscriptions);
}

/** Which of the VTN's reports a transition creates: the baseline report on BASELINED, the performance report on MEASURED. */
export function reportNamePrefixFor(state: string): string | null {
  return state === 'BASELINED' ? 'BASELINE ' : state === 'MEASURED' ? 'PERFORMANCE ' : null;
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
  /** The VTN's reports of an event as they are now (baseline, latest performance): REPORT changes on BASELINED and MEASURED. */
  reports?: (record: DrEventRecord) => Promise<Record<string, unknown>[]>;
  /** Publishes on the MQTT notifier binding (mqtt-broker.ts); absent = webhooks only. */
  publish?: (messages: readonly MqttMessage[]) => Promise<void>;
  log: LogSink;
  /** Where a new consumer group starts: the end (default: callbacks are about what happens from now on). */
  fromBeginning?: boolean;
}

/**
 * OpenADR notifications of DR events and the VTN's reports: each dr-events.v1 transition is an
 * EVENT change (and, on BASELINED or MEASURED, a REPORT CREATE), made into `notification`s
 * (openadr3.yaml) queued on the webhook delivery (retries, order per subscription and object,
 * the address policy) and published for the MQTT binding. The event object is the event as it
 * is now; the offset is committed once every callback is queued and every message published.
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
      if (subscriptions.length === 0 && deps.publish === undefined) return;
      const record = await deps.events.get(discomId, t.eventId);
      if (!record) return;
      const changes = [eventChange(discomId, { ...t, version: Number(t.version) }, record)];
      const prefix = reportNamePrefixFor(t.state);
      if (prefix !== null && deps.reports) {
        const report = (await deps.reports(record)).find((r) => String(r.reportName).startsWith(prefix));
        if (report) changes.push(vtnReportChange(discomId, record, report));
      }
      await deliverChanges(changes, subscriptions, deps);
    },
  });
  return consumer;
}

/** Queues each change's callbacks and publishes its MQTT messages (the order of `changes` is kept). */
export async function deliverChanges(changes: readonly ObjectChange[], subscriptions: readonly { object: StoredObject; ownerRole: string }[], to: { notify: (c: CallbackDelivery) => Promise<void>; publish?: (messages: readonly MqttMessage[]) => Promise<void> }): Promise<void> {
  for (const change of changes) {
    for (const c of callbacksFor(change, subscriptions)) await to.notify(c);
    if (to.publish) await to.publish(mqttMessagesFor(change));
  }
}
