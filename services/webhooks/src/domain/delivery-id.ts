import { IesError } from '@ies/errors';

/** The DR topics relayed to webhooks (ids in the @ies/contracts TOPICS catalogue). */
export const RELAYED_TOPICS = ['drEvents', 'baselines', 'drPerformance'] as const;
export type RelayedTopic = (typeof RELAYED_TOPICS)[number];

/** The fields of a DR record the relay reads; the rest is passed through untouched. */
export interface RelayedRecord {
  eventId: string;
  aggregatorId: string;
  version?: number;
  eventVersion?: number;
  meterId?: string;
}

/**
 * The message id of one record: `<topic>|<eventId>|<version>` (`|<meterId>` for baselines,
 * one record per meter). It is the bullmq job id, so a redelivered Kafka record adds no
 * second job, and the `jti` receivers de-duplicate by. Parts are percent-encoded so an id
 * can contain neither a stray `|` nor `:` (bullmq refuses `:` in custom job ids).
 */
export function deliveryId(topicName: string, topic: RelayedTopic, record: RelayedRecord): string {
  if (typeof record.eventId !== 'string' || record.eventId === '') throw new IesError('IES_ERR_DR_INPUT_INVALID', `${topicName} record has no eventId`);
  const version = topic === 'baselines' ? record.eventVersion : record.version;
  if (!Number.isInteger(version)) throw new IesError('IES_ERR_DR_INPUT_INVALID', `${topicName} record of event ${record.eventId} has no integer ${topic === 'baselines' ? 'eventVersion' : 'version'}`);
  const parts = [topicName, record.eventId, String(version)];
  if (topic === 'baselines') {
    if (typeof record.meterId !== 'string' || record.meterId === '') throw new IesError('IES_ERR_DR_INPUT_INVALID', `${topicName} record of event ${record.eventId} has no meterId`);
    parts.push(record.meterId);
  }
  return parts.map(encodeURIComponent).join('|');
}
