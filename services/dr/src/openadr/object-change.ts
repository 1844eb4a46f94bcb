// One change of an OpenADR object, and what it becomes for each kind of listener: webhook
// callbacks of subscriptions (openadr3.yaml `subscription`, `notification`) and MQTT
// messages (the 3.1 MQTT notifier binding, mqtt-topics.ts). Pure: no I/O.
import type { CallbackDelivery } from '@ies/webhooks';
import { mqttTopicsOf } from './mqtt-topics.js';
import type { StoredObject } from './vtn-store.js';

export const OBJECT_TYPES = ['PROGRAM', 'EVENT', 'REPORT', 'SUBSCRIPTION', 'VEN', 'RESOURCE'] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];
export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

/** Who is told: an aggregator's VEN, or the DISCOM's DR desk (the BL). */
export interface Viewer {
  readonly participantId: string;
  readonly bl: boolean;
}

/** What one viewer is told of a change: the operation as it sees it, and the object as it may see it. */
export interface Seen {
  readonly operation: Operation;
  readonly object: Record<string, unknown>;
}

export interface ObjectChange {
  readonly discomId: string;
  readonly objectType: ObjectType;
  /** The object's OpenADR id. */
  readonly objectId: string;
  /** Unique per change of this object (part of each delivery id: the same change again is not delivered twice). */
  readonly changeId: string;
  /** The program the object belongs to (a program's own id for a PROGRAM), for subscriptions' programID and program topics. */
  readonly programID?: string;
  /** The aggregators that may see it (each still asked through `seenBy`). */
  readonly vens: readonly string[];
  /** Null when the viewer may not see this change. */
  seenBy(viewer: Viewer): Seen | null;
}

/** The 3.1 operation names and the 3.0.1 method names some clients subscribe with. */
const SAME_OPERATION: Record<Operation, string> = { CREATE: 'POST', UPDATE: 'PUT', DELETE: 'DELETE' };

/** The spec's `notification` a viewer gets. */
export function notificationOf(change: ObjectChange, seen: Seen): Record<string, unknown> {
  const targets = Array.isArray(seen.object.targets) ? seen.object.targets : null;
  return { objectType: change.objectType, operation: seen.operation, object: seen.object, targets };
}

interface ObjectOperation {
  objects: string[];
  operations: string[];
  callbackUrl: string;
  bearerToken: string | null;
}

/**
 * The callbacks one change makes: one per matching object operation of each subscription
 * whose owner may see the change (an aggregator only its own objects; the BL its tenant),
 * whose programID (if any) is the object's. Ordered per subscription and object.
 */
export function callbacksFor(change: ObjectChange, subscriptions: readonly { object: StoredObject; ownerRole: string }[]): CallbackDelivery[] {
  const out: CallbackDelivery[] = [];
  for (const { object: s, ownerRole } of subscriptions) {
    if (ownerRole !== 'AGGREGATOR' && ownerRole !== 'DISCOM') continue;
    if (s.programID !== undefined && s.programID !== null && s.programID !== change.programID) continue;
    const seen = change.seenBy({ participantId: s.clientID.slice(s.clientID.indexOf('/') + 1), bl: ownerRole === 'DISCOM' });
    if (seen === null) continue;
    (s.objectOperations as ObjectOperation[]).forEach((o, i) => {
      if (!o.objects.includes(change.objectType)) return;
      if (!o.operations.includes(seen.operation) && !o.operations.includes(SAME_OPERATION[seen.operation])) return;
      out.push({
        discomId: change.discomId, clientId: s.clientID, orderKey: `openadr.${s.id}.${change.objectType}.${change.objectId}`,
        deliveryId: `openadr.${s.id}.${change.objectType}.${change.objectId}.${change.changeId}.${i}`,
        url: o.callbackUrl, bearerToken: o.bearerToken, body: notificationOf(change, seen),
      });
    });
  }
  return out;
}

export interface MqttMessage {
  readonly topic: string;
  readonly payload: Record<string, unknown>;
}

/** The MQTT messages of one change: on the BL's topics as the BL sees it, on each VEN's own topics as that VEN sees it. */
export function mqttMessagesFor(change: ObjectChange): MqttMessage[] {
  const out: MqttMessage[] = [];
  const viewers: Viewer[] = [{ participantId: '', bl: true }, ...[...new Set(change.vens)].map((participantId) => ({ participantId, bl: false }))];
  for (const viewer of viewers) {
    const seen = change.seenBy(viewer);
    if (seen === null) continue;
    const payload = notificationOf(change, seen);
    for (const topic of mqttTopicsOf(change, seen.operation, viewer)) out.push({ topic, payload });
  }
  return out;
}
