/**
 * Order per event. The relay numbers each event's deliveries 1, 2, 3 … in the order it
 * reads them (topic/partition order within a topic; records are keyed by eventId, so one
 * event's records on one topic are one partition's order). Workers run jobs concurrently
 * and retries reorder a queue, so a job may only be delivered once every lower number of
 * its event is settled (delivered, or given up after the last attempt).
 */
export type OrderDecision =
  /** Its turn: deliver now. */
  | 'deliver'
  /** An earlier message of the event is not settled yet: wait without using an attempt. */
  | 'hold'
  /** Already settled (a redelivered Kafka record or a replayed job): do not send again. */
  | 'settled';

export function orderDecision(sequence: number, settledUpTo: number): OrderDecision {
  if (sequence <= settledUpTo) return 'settled';
  return sequence === settledUpTo + 1 ? 'deliver' : 'hold';
}
