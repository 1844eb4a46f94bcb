import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { Admin, Producer } from 'kafkajs';
import type { Config } from '@ies/config';
import { createClickHouse, sql, type ClickHouseClient } from '@ies/clickhouse';
import { TOPICS, topicName } from '@ies/contracts';
import { ACKS_ALL, AvroSerde, createIdempotentProducer, createKafka, provisionTenant } from '@ies/kafka';
import { signedFleet, type FleetRead, type GatewayBatch } from '@ies/registry/testing';
import { stackConfig, uniqueTenant } from '@ies/testing';

/** A throw-away database per test file, so migrations under development never touch `ies`. */
export function uniqueDatabase(): string {
  return `it_loader_${randomBytes(4).toString('hex')}`;
}

export type TestRead = FleetRead;

/**
 * Genuine meter-batches.v1 records, as the gateway writes them: a head-end `HES-IT` whose
 * key and meters are registered by operator-signed documents on the tenant's registry.v1
 * (every meter a batch names is registered before the batch is made). The loader re-verifies
 * each record, so unsigned test records would only become dead letters.
 */
export async function batchMaker(producer: Producer, serde: AvroSerde, tenant: string) {
  const fleet = await signedFleet({ producer, serde, tenant, headEndId: 'HES-IT' });
  const known = new Set<string>();
  return {
    fleet,
    /** The record of `reads` with batch id `HES-IT:<jti>`, accepted at `receivedAt`. */
    async meterBatch(jti: string, receivedAt: number, reads: readonly TestRead[]): Promise<GatewayBatch> {
      const fresh = reads.map((r) => r.meterId).filter((m) => !known.has(m));
      if (fresh.length > 0) {
        for (const m of fresh) known.add(m);
        await fleet.register([...known]);
      }
      return fleet.batch(reads, { jti, receivedAt });
    },
  };
}

/** `count` meters × both channels in one block. */
export function readsOf(prefix: string, count: number, blockStart: number, wh = 10): TestRead[] {
  return Array.from({ length: count }, (_, i) => [
    { meterId: `${prefix}-${i}`, blockStart, channel: 'IMPORT' as const, wh: wh + i },
    { meterId: `${prefix}-${i}`, blockStart, channel: 'EXPORT' as const, wh: i },
  ]).flat();
}

export async function sendBatch(producer: Producer, serde: AvroSerde, tenant: string, batch: GatewayBatch): Promise<void> {
  await producer.send({ topic: topicName(tenant, TOPICS.meterBatches), acks: ACKS_ALL, messages: [{ key: batch.batchId, value: await serde.encode(tenant, TOPICS.meterBatches, batch) }] });
}

export async function scalar(client: ClickHouseClient, query: string): Promise<number> {
  const rows = await (await client.query({ query, format: 'JSONEachRow' })).json<{ n: string | number }>();
  return Number(rows[0]?.n ?? 0);
}

/** Reads of the tenant counted once (FINAL folds redelivered copies). */
export function countReads(client: ClickHouseClient, tenant: string, batchId?: string): Promise<number> {
  const where = batchId === undefined ? sql`discom_id = ${tenant}` : sql`discom_id = ${tenant} AND batch_id = ${batchId}`;
  return scalar(client, `SELECT count() AS n FROM reads FINAL WHERE ${where}`);
}

/** Committed offsets of the group on a topic against the topic's end: [committed sum, end sum]. */
export async function committedVsEnd(admin: Admin, groupId: string, topic: string): Promise<[number, number]> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const end = await admin.fetchTopicOffsets(topic);
  const sum = (xs: { offset: string }[]) => xs.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
  return [sum(committed?.partitions ?? []), sum(end)];
}

export function clickhouseFor(config: Config, database: string): ClickHouseClient {
  return createClickHouse(config, { database });
}

/**
 * A TCP proxy on 127.0.0.1 in front of ClickHouse that the test can take down and bring
 * back on the same port: the loader sees ClickHouse disappear without anyone touching the
 * shared server.
 */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => { client.destroy(); upstream.destroy(); });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Refuses new connections and cuts the open ones. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The loader's consumer group in a test: under the loader's group prefix (its ACL), unique per tenant. */
export function loaderGroup(tenant: string): string {
  return `ies-loader-${tenant}`;
}

/**
 * What every loader integration test sets up: a fresh tenant (topics and ACLs) and database
 * on the local stack, an idempotent producer and an admin client, all as the Kafka admin
 * (the test plays the writers); the loader itself runs as its own Kafka user (startLoaderService).
 * `close` drops the database.
 */
export function loaderTestStack() {
  const config = stackConfig({}, 'admin');
  const silent = { error() {}, warn() {}, info() {}, debug() {} };
  const kafka = createKafka(config, silent);
  const tenant = uniqueTenant();
  const database = uniqueDatabase();
  const ch = clickhouseFor(config, database);
  const admin = kafka.admin();
  const producer = createIdempotentProducer(kafka);
  const serde = new AvroSerde({ registryUrl: config.registry.url });
  const env: Record<string, string | undefined> = { ...process.env, IES_TENANTS: tenant, IES_CLICKHOUSE_DATABASE: database, IES_LOG_LEVEL: process.env.IES_LOG_LEVEL ?? 'silent' };
  let maker: Awaited<ReturnType<typeof batchMaker>> | undefined;
  return {
    config, kafka, tenant, database, ch, admin, producer, serde, env,
    groupId: loaderGroup(tenant),
    /** Genuine batch records (after open()). */
    get batches() {
      if (!maker) throw new Error('open() the loader test stack first');
      return maker;
    },
    async open(): Promise<void> {
      await admin.connect();
      await provisionTenant(admin, tenant, { replicationFactor: config.kafka.replicationFactor, nodeId: config.nodeId });
      await producer.connect();
      maker = await batchMaker(producer, serde, tenant);
      env.IES_OPERATOR_JWKS_FILE = maker.fleet.operatorJwksFile;
    },
    async close(): Promise<void> {
      await producer.disconnect();
      await admin.disconnect();
      await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` });
      await ch.close();
    },
  };
}
