// The MQTT notifier binding's topic names (OpenADR 3.1, openadr3.yaml `/notifiers/mqtt/topics/*`,
// `notifierOperationsTopics`): the spec leaves the names to the VTN and gives
// `{objectType}s/create` as the example. Ours, per tenant:
//   OpenADR/3.1.0/<discom>/<objectType>s/<create|update|delete>           the BL: every object of the tenant
//   OpenADR/3.1.0/<discom>/programs/<programID>/<update|delete>           the BL: one program
//   OpenADR/3.1.0/<discom>/programs/<programID>/events/<create|…>         the BL: one program's events
//   OpenADR/3.1.0/<discom>/ven/<venID>/<update|delete>                    a VEN: itself
//   OpenADR/3.1.0/<discom>/ven/<venID>/<events|programs|resources>/<…>    a VEN: its events, programs, resources
// A VEN may subscribe only under its own `ven/<venID>/` (mqtt-acl in mqtt-broker.ts);
// `ven` (singular) keeps a VEN's tree apart from the BL's `vens/…`.
import { objectId } from './object-id.js';
import type { ObjectChange, Operation, Viewer } from './object-change.js';

export const MQTT_TOPIC_ROOT = 'OpenADR/3.1.0';

export function tenantTopicRoot(discomId: string): string {
  return `${MQTT_TOPIC_ROOT}/${discomId}`;
}

/** Where a VEN's own topics are. */
export function venTopicRoot(discomId: string, aggregatorId: string): string {
  return `${tenantTopicRoot(discomId)}/ven/${objectId('ven', aggregatorId)}`;
}

const PLURAL: Record<ObjectChange['objectType'], string> = { PROGRAM: 'programs', EVENT: 'events', REPORT: 'reports', SUBSCRIPTION: 'subscriptions', VEN: 'vens', RESOURCE: 'resources' };
const op = (o: Operation) => o.toLowerCase();

/** The topics one change is published on, for one viewer. */
export function mqttTopicsOf(change: ObjectChange, operation: Operation, viewer: Viewer): string[] {
  const root = tenantTopicRoot(change.discomId);
  if (viewer.bl) {
    const out = [`${root}/${PLURAL[change.objectType]}/${op(operation)}`];
    if (change.objectType === 'PROGRAM' && operation !== 'CREATE') out.push(`${root}/programs/${change.objectId}/${op(operation)}`);
    if (change.objectType === 'EVENT' && change.programID !== undefined) out.push(`${root}/programs/${change.programID}/events/${op(operation)}`);
    return out;
  }
  const ven = venTopicRoot(change.discomId, viewer.participantId);
  if (change.objectType === 'VEN') return operation === 'CREATE' ? [] : [`${ven}/${op(operation)}`];
  if (change.objectType === 'EVENT' || change.objectType === 'PROGRAM' || change.objectType === 'RESOURCE') return [`${ven}/${PLURAL[change.objectType]}/${op(operation)}`];
  return [];
}

/** The spec's `notifierOperationsTopics` of a topic tree: CREATE only where objects can appear (not for one object). */
export function operationsTopics(base: string, withCreate: boolean): Record<string, string> {
  return { ...(withCreate ? { CREATE: `${base}/create` } : {}), UPDATE: `${base}/update`, DELETE: `${base}/delete`, ALL: `${base}/+` };
}

/**
 * May this client subscribe to `filter`? The BL to anything of its tenant, a VEN only under
 * its own tree: compared literally, so a wildcard in place of the tenant or the VEN id is refused.
 */
export function maySubscribe(viewer: Viewer & { discomId: string }, filter: string): boolean {
  const root = viewer.bl ? tenantTopicRoot(viewer.discomId) : venTopicRoot(viewer.discomId, viewer.participantId);
  return filter.startsWith(`${root}/`) && !filter.startsWith('$');
}
