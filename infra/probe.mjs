// Health probes for infra/stack.sh: each exits 0 only when the part really answers, with the
// stack's credentials (Kafka metadata from every broker as `admin`, registry API, a
// ClickHouse query, Redis PING after AUTH). Credentials are read from IES_SECRETS_DIR.
//   node infra/probe.mjs kafka 127.0.0.1:9092 1 | registry URL | clickhouse URL | redis URL | all BOOTSTRAP N
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';

const TIMEOUT_MS = 5000;
const env = process.env;
const secretsDir = env.IES_SECRETS_DIR ?? '.stack/secrets';
const secret = (name) => readFileSync(path.join(secretsDir, name), 'utf8').trim();

async function kafka(bootstrap, expected) {
  const sasl = { mechanism: 'scram-sha-512', username: 'admin', password: secret('kafka/admin.password') };
  const client = new Kafka({ clientId: 'ies-probe', brokers: bootstrap.split(','), sasl, logLevel: logLevel.NOTHING, connectionTimeout: 2000, retry: { retries: 0 } });
  const admin = client.admin();
  try {
    await admin.connect();
    const { brokers, controller } = await admin.describeCluster();
    if (brokers.length < Number(expected)) throw new Error(`${brokers.length} of ${expected} brokers registered`);
    if (controller === null || controller === undefined || controller < 0) throw new Error('no active controller');
    return `${brokers.length} broker(s), controller ${controller}`;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

async function http(url, headers = {}) {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return res.text();
}

async function registry(base) {
  await http(`${base}/apis/ccompat/v7/subjects`);
  const info = JSON.parse(await http(`${base}/apis/registry/v3/system/info`));
  return `Apicurio Registry ${info.version}`;
}

async function clickhouse(base) {
  const auth = `Basic ${Buffer.from(`default:${secret('clickhouse.password')}`).toString('base64')}`;
  const version = (await http(`${base}/?query=${encodeURIComponent('SELECT version()')}`, { authorization: auth })).trim();
  return `ClickHouse ${version}`;
}

async function redis(url) {
  const r = new Redis(url, { password: secret('redis.password'), lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
  try {
    await r.connect();
    if ((await r.ping()) !== 'PONG') throw new Error('PING did not answer PONG');
    const info = await r.info('server');
    return `Redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? '?'}`;
  } finally {
    r.disconnect();
  }
}

const [part, arg, arg2] = process.argv.slice(2);
try {
  if (part === 'kafka') console.log(await kafka(arg, arg2 ?? '1'));
  else if (part === 'registry') console.log(await registry(arg));
  else if (part === 'clickhouse') console.log(await clickhouse(arg));
  else if (part === 'redis') console.log(await redis(arg));
  else if (part === 'all') {
    console.log(`kafka: ${await kafka(arg, arg2 ?? '1')}`);
    console.log(`registry: ${await registry(`http://127.0.0.1:${env.IES_REGISTRY_PORT ?? 8081}`)}`);
    console.log(`clickhouse: ${await clickhouse(`http://127.0.0.1:${env.IES_CLICKHOUSE_HTTP_PORT ?? 8123}`)}`);
    console.log(`redis: ${await redis(`redis://127.0.0.1:${env.IES_REDIS_PORT ?? 6379}`)}`);
  } else {
    console.error('usage: probe.mjs kafka BOOTSTRAP N | registry URL | clickhouse URL | redis URL | all BOOTSTRAP N');
    process.exit(2);
  }
  process.exit(0);
} catch (err) {
  console.error(`${part}: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
