import type { Message, Producer } from 'kafkajs';
import { ACKS_ALL } from '@ies/kafka';

/**
 * Batch records written by concurrent requests, sent to Kafka together: every record handed
 * over in one turn of the event loop goes in one `sendBatch` (one produce request per broker,
 * acks=all, the same idempotent producer), and each caller's promise settles with that
 * request. A head-end batch is one record of ~90 KB; sent alone, each paid its own produce
 * request: kafkajs's request encoding, a socket write, a response to match. A request holds
 * at most MAX_REQUEST_BYTES of values (the broker takes 32 MiB per record batch); a record
 * larger than that goes alone, so a record the topic refuses fails only its own caller.
 */
export function sendCoalesced(producer: Producer, topic: string, message: Message & { value: Buffer }): Promise<void> {
  let pending = queues.get(producer);
  if (pending === undefined) {
    pending = [];
    queues.set(producer, pending);
    setImmediate(() => flush(producer));
  }
  return new Promise<void>((resolve, reject) => pending.push({ topic, message, resolve, reject }));
}

interface Queued {
  readonly topic: string;
  readonly message: Message & { value: Buffer };
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/** Values per produce request at most. */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

/** Records waiting for the next turn, per producer; the entry exists while a flush is scheduled. */
const queues = new WeakMap<Producer, Queued[]>();

function flush(producer: Producer): void {
  const queued = queues.get(producer) ?? [];
  queues.delete(producer);
  let group: Queued[] = [];
  let bytes = 0;
  for (const q of queued) {
    if (group.length > 0 && bytes + q.message.value.length > MAX_REQUEST_BYTES) {
      send(producer, group);
      group = [];
      bytes = 0;
    }
    group.push(q);
    bytes += q.message.value.length;
  }
  if (group.length > 0) send(producer, group);
}

function send(producer: Producer, group: readonly Queued[]): void {
  const byTopic = new Map<string, Message[]>();
  for (const q of group) {
    const messages = byTopic.get(q.topic);
    if (messages === undefined) byTopic.set(q.topic, [q.message]);
    else messages.push(q.message);
  }
  producer.sendBatch({ acks: ACKS_ALL, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) }).then(
    () => group.forEach((q) => q.resolve()),
    (err: unknown) => group.forEach((q) => q.reject(err)),
  );
}
