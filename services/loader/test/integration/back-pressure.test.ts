import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from '@ies/clickhouse';
import { TOPICS, topicName } from '@ies/contracts';
import { AvroSerde, createIdempotentProducer, createKafka, provisionTenant } from '@ies/kafka';
import { eventually, stackConfig, uniqueTenant } from '@ies/testing';
import { SINKS } from '../../src/sinks.js';
import { startLoaderService } from '../../src/index.js';
import { batchMaker, clickhouseFor, committedVsEnd, countReads, loaderGroup, readsOf, scalar, sendBatch, TcpProxy, uniqueDatabase } from './helpers.js';

// The test provisions and plays the gateway as the Kafka admin; the loader runs as itself.
const config = stackConfig({}, 'admin');
const silent = { error() {}, warn() {}, info() {}, debug() {} };
const kafka = createKafka(config, silent);
const serde = new AvroSerde({ registryUrl: config.registry.url });
const tenant = uniqueTenant();
const database = uniqueDatabase();
const groupId = loaderGroup(tenant);
const batchesTopic = topicName(tenant, TOPICS.meterBatches);
const clickhouseUrl = new URL(config.clickhouse.url);
const proxy = new TcpProxy({ host: clickhouseUrl.hostname, port: Number(clickhouseUrl.port || 8123) });
const ch = clickhouseFor(config, database);
const admin = kafka.admin();
const producer = createIdempotentProducer(kafka);
const BLOCK = Date.UTC(2026, 10, 20, 18, 30);
let service: Awaited<ReturnType<typeof startLoaderService>> | undefined;
let batches: Awaited<ReturnType<typeof batchMaker>>;

before(async () => {
  await admin.connect();
  await provisionTenant(admin, tenant, { replicationFactor: config.kafka.replicationFactor, nodeId: config.nodeId });
  await producer.connect();
  batches = await batchMaker(producer, serde, tenant);
  await proxy.start();
});

after(async () => {
  await service?.stop();
  await proxy.stop();
  await producer.disconnect();
  await admin.disconnect();
  await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await ch.close();
});

test('while ClickHouse is unreachable the loader pauses and commits nothing; when it returns every read lands once', async () => {
  service = await startLoaderService(
    { ...process.env, IES_TENANTS: tenant, IES_CLICKHOUSE_DATABASE: database, IES_CLICKHOUSE_URL: `http://127.0.0.1:${proxy.port}`, IES_OPERATOR_JWKS_FILE: batches.fleet.operatorJwksFile, IES_LOG_LEVEL: process.env.IES_LOG_LEVEL ?? 'silent' },
    { groupId, maxDelayMs: 200, retry: { initialMs: 100, maxMs: 500 } },
  );
  const loader = service.loader;
  await sendBatch(producer, serde, tenant, await batches.meterBatch('C-1', Date.UTC(2026, 10, 21), readsOf('C1', 2, BLOCK)));
  await eventually(async () => ((await countReads(ch, tenant)) === 4 ? true : undefined), 60_000, 'C-1 loaded through the proxy');
  await eventually(async () => {
    const [committed, end] = await committedVsEnd(admin, groupId, batchesTopic);
    return committed === end ? true : undefined;
  }, 30_000, 'C-1 committed');
  const [committedBefore] = await committedVsEnd(admin, groupId, batchesTopic);

  await proxy.stop();
  for (const id of ['C-2', 'C-3', 'C-4']) await sendBatch(producer, serde, tenant, await batches.meterBatch(id, Date.UTC(2026, 10, 21), readsOf(id, 3, BLOCK)));
  await eventually(async () => (loader.status().pauseReasons.includes('clickhouse') ? true : undefined), 30_000, 'consumer paused');
  // Every sink's topic pauses, not only the one whose INSERT failed.
  assert.deepEqual(loader.consumer.paused().map((p) => p.topic).sort(), SINKS.map((sink) => topicName(tenant, TOPICS[sink.topic])).sort());
  // Down for a while: retries keep failing, nothing is committed past C-1.
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(loader.status().paused, true);
  const [committedWhileDown, endWhileDown] = await committedVsEnd(admin, groupId, batchesTopic);
  assert.equal(committedWhileDown, committedBefore);
  assert.equal(endWhileDown, committedBefore + 3);
  assert.equal(await countReads(ch, tenant), 4);

  await proxy.start();
  await eventually(async () => ((await countReads(ch, tenant)) === 22 ? true : undefined), 60_000, 'C-2…C-4 loaded after ClickHouse returned');
  await eventually(async () => {
    const [committed, end] = await committedVsEnd(admin, groupId, batchesTopic);
    return committed === end && !loader.status().paused ? true : undefined;
  }, 30_000, 'resumed and committed');
  for (const id of ['C-2', 'C-3', 'C-4']) assert.equal(await countReads(ch, tenant, `HES-IT:${id}`), 6);
  assert.equal(await scalar(ch, sql`SELECT count() AS n FROM reads_by_batch FINAL WHERE discom_id = ${tenant}`), 22);
});
