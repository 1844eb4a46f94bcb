import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { ClickHouseClient } from '@ies/clickhouse';
import { TOPICS, topicName } from '@ies/contracts';
import type { AvroSerde } from '@ies/kafka';
import { Loader } from './loader.js';
import { deadLettersSink } from './sinks/dead-letters.js';

// The batch handler alone, fed a fetch whose records take time to handle: here records
// without a value, each logged as it becomes a dead letter by a log that takes 1 ms, and no
// real I/O, so every await inside the handler is a settled promise. Nothing is inserted (the
// buffer stays far below an INSERT), so no ClickHouse is needed.
const TENANT = 'TURNS-DL';
const topic = topicName(TENANT, TOPICS.deadLetter);

function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // the synchronous work of decoding and re-verifying a record
  }
}

function handlerOf(onStopAfter?: number) {
  let logged = 0;
  const consumer = { events: { CRASH: 'crash' }, on() {}, pause() {}, resume() {}, commitOffsets: async () => {} };
  const loader = new Loader({
    kafka: { consumer: () => consumer } as unknown as Kafka,
    serde: {} as AvroSerde,
    clickhouse: {} as ClickHouseClient,
    tenants: [TENANT],
    batchVerifier: { check: async () => ({ ok: true, kid: 'k', iat: 0 }) },
    sinks: [deadLettersSink],
    log: {
      error: () => {
        busyFor(1);
        logged += 1;
        // What stop() does first: consumption paused for 'stopping' (the rest of stop() needs ClickHouse).
        if (logged === onStopAfter) (loader as unknown as { pause(reason: string): void }).pause('stopping');
      },
      warn() {}, info() {}, debug() {},
    },
  });
  const onBatch = (loader as unknown as { onBatch(p: EachBatchPayload): Promise<void> }).onBatch.bind(loader);
  return { loader, onBatch, logged: () => logged };
}

function fetchOf(records: number) {
  const messages = Array.from({ length: records }, (_, i) => ({ offset: String(i), value: null, key: null, timestamp: '0', attributes: 0, headers: {} }) as unknown as KafkaMessage);
  const resolved: string[] = [];
  const payload = {
    batch: { topic, partition: 0, messages, highWatermark: String(records), lastOffset: () => String(records - 1), firstOffset: () => '0' },
    resolveOffset: (o: string) => void resolved.push(o),
    heartbeat: async () => {},
    isRunning: () => true,
    isStale: () => false,
  } as unknown as EachBatchPayload;
  return { payload, resolved };
}

test("a long fetch does not hold the event loop: a timer fires while the loader's handler runs", async () => {
  const { onBatch, logged } = handlerOf();
  const { payload, resolved } = fetchOf(60);
  let handled = false;
  let firedAfter: number | undefined;
  const timer = setTimeout(() => (firedAfter = handled ? undefined : logged()), 1);
  await onBatch(payload);
  handled = true;
  clearTimeout(timer);
  assert.equal(resolved.length, 61, 'every record and the end of the fetch resolved');
  assert.ok(firedAfter !== undefined && firedAfter < 60, `the timer fired inside the handler (after ${String(firedAfter)} of 60 records)`);
});

test('a stop that comes while the handler runs ends it before the rest of the fetch is decoded', async () => {
  const { onBatch, logged } = handlerOf(15);
  const { payload, resolved } = fetchOf(60);
  await onBatch(payload);
  assert.ok(logged() < 60, `the handler stopped after ${logged()} of 60 records`);
  assert.ok(!resolved.includes('59'), 'the end of the fetch is not resolved');
});
