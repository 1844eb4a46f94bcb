import { readFileSync } from 'node:fs';
import path from 'node:path';
import { IesError } from '@ies/errors';
import type { Config, Env, LoadConfigOptions } from './config-model.js';
import { cidrs, notaryWitnesses, peerUrls, vkeys } from './list-settings.js';
import { kafkaIssuer, kafkaSasl, urlPassword } from './secrets.js';


const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Builds the frozen config from `env`. Every setting has a default that works against the
 * local stack (infra/stack.sh). All problems are reported together, not one per restart.
 */
export function loadConfig(env: Env, options: LoadConfigOptions = {}): Config {
  const problems: string[] = [];
  const str = (name: string, fallback: string): string => {
    const v = env[name];
    return v === undefined || v === '' ? fallback : v;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}=${JSON.stringify(raw)} must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };
  const url = (name: string, fallback: string, protocols: readonly string[]): string => {
    const v = str(name, fallback);
    try {
      const u = new URL(v);
      if (!protocols.includes(u.protocol)) problems.push(`${name}=${JSON.stringify(v)} must use ${protocols.join(' or ')}`);
    } catch {
      problems.push(`${name}=${JSON.stringify(v)} is not a URL`);
    }
    return v.replace(/\/+$/, '');
  };

  const brokers = str('IES_KAFKA_BROKERS', '127.0.0.1:9092').split(',').map((b) => b.trim()).filter(Boolean);
  for (const b of brokers) if (!/^[^:\s]+:\d{1,5}$/.test(b)) problems.push(`IES_KAFKA_BROKERS entry ${JSON.stringify(b)} must be host:port`);
  const tenants = str('IES_TENANTS', 'DEMO-DL').split(',').map((t) => t.trim()).filter(Boolean);
  for (const t of tenants) if (!/^[A-Z0-9]+(-[A-Z0-9]+)*$/.test(t) || t.length > 64) problems.push(`IES_TENANTS entry ${JSON.stringify(t)} must be a DISCOM id like BRPL-DL`);
  if (tenants.length === 0) problems.push('IES_TENANTS must name at least one DISCOM');
  const logLevel = str('IES_LOG_LEVEL', 'info');
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) problems.push(`IES_LOG_LEVEL=${JSON.stringify(logLevel)} must be one of ${LOG_LEVELS.join(', ')}`);
  const database = str('IES_CLICKHOUSE_DATABASE', 'ies');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) problems.push(`IES_CLICKHOUSE_DATABASE=${JSON.stringify(database)} must be an identifier`);

  const secretsDir = str('IES_SECRETS_DIR', env.IES_STACK_DIR ? path.join(env.IES_STACK_DIR, 'secrets') : '.stack/secrets');
  /** A secret file's content, trimmed; '' when it does not exist. */
  const secretFile = (file: string, what: string): string => {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(`${what}: cannot read ${file}: ${(err as Error).message}`);
      return '';
    }
  };
  const sasl = kafkaSasl(env, options, secretsDir, secretFile, problems);
  const redisUrl = url('IES_REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']);
  const redisPassword = str('IES_REDIS_PASSWORD', urlPassword(redisUrl) || secretFile(path.join(secretsDir, 'redis.password'), 'Redis password'));

  const httpHost = str('IES_HTTP_HOST', '127.0.0.1');
  const httpPort = int('IES_HTTP_PORT', 8080, 0, 65535);
  const publicUrl = url('IES_PUBLIC_URL', `http://${httpHost.includes(':') ? `[${httpHost}]` : httpHost}:${httpPort}`, ['http:', 'https:']);
  // One-time console sign-in links (docs/console.md): the local stack and the demo only, so a
  // node that listens beyond this machine refuses to start with them on.
  const consoleSignInLinks = str('IES_CONSOLE_SIGN_IN_LINKS', 'false') === 'true';
  if (consoleSignInLinks && !['127.0.0.1', 'localhost', '::1'].includes(httpHost)) problems.push(`IES_CONSOLE_SIGN_IN_LINKS=true is for a node on this machine only (IES_HTTP_HOST 127.0.0.1, localhost or ::1), not ${httpHost}`);
  if (/[?#]/.test(publicUrl)) problems.push(`IES_PUBLIC_URL=${JSON.stringify(publicUrl)} must be a base URL without query or fragment`);
  // A log's origin is its URL prefix without the scheme (c2sp.org/tlog-tiles, "Parameters").
  const originPrefix = str('IES_NOTARY_ORIGIN_PREFIX', `${publicUrl.replace(/^https?:\/\//, '')}/logs`);
  if (/[\s+]/.test(originPrefix) || originPrefix.length === 0) problems.push(`IES_NOTARY_ORIGIN_PREFIX=${JSON.stringify(originPrefix)} must be non-empty without whitespace or '+' (it names the note key)`);

  const witnessName = str('IES_WITNESS_NAME', `ies.local/${str('IES_NODE_ID', 'ies-node-local')}/witness`);
  if (/[\s+]/.test(witnessName)) problems.push(`IES_WITNESS_NAME=${JSON.stringify(witnessName)} must be without whitespace or '+' (it names the cosigner key)`);
  const witnessLogs = vkeys('IES_WITNESS_LOGS', str('IES_WITNESS_LOGS', ''), problems);

  const config: Config = {
    nodeId: str('IES_NODE_ID', 'ies-node-local'),
    logLevel: logLevel as Config['logLevel'],
    kafka: {
      brokers,
      clientId: str('IES_KAFKA_CLIENT_ID', 'ies-backbone'),
      replicationFactor: int('IES_KAFKA_REPLICATION_FACTOR', 1, 1, 5),
      sasl,
    },
    registry: { url: url('IES_REGISTRY_URL', 'http://127.0.0.1:8081/apis/ccompat/v7', ['http:', 'https:']) },
    clickhouse: {
      url: url('IES_CLICKHOUSE_URL', 'http://127.0.0.1:8123', ['http:', 'https:']),
      database,
      username: str('IES_CLICKHOUSE_USER', 'default'),
      password: str('IES_CLICKHOUSE_PASSWORD', secretFile(path.join(secretsDir, 'clickhouse.password'), 'ClickHouse password')),
    },
    redis: { url: redisUrl, password: redisPassword },
    secretsDir,
    console: { signInLinks: consoleSignInLinks },
    http: {
      host: httpHost,
      port: httpPort,
      publicUrl,
      requestTimeoutMs: int('IES_HTTP_REQUEST_TIMEOUT_MS', 60_000, 100, 3_600_000),
      headersTimeoutMs: int('IES_HTTP_HEADERS_TIMEOUT_MS', 20_000, 100, 3_600_000),
      connectionTimeoutMs: int('IES_HTTP_CONNECTION_TIMEOUT_MS', 120_000, 100, 3_600_000),
      keepAliveTimeoutMs: int('IES_HTTP_KEEP_ALIVE_TIMEOUT_MS', 72_000, 100, 3_600_000),
    },
    dr: {
      performanceGraceMs: int('IES_DR_PERFORMANCE_GRACE_MS', 30 * 60_000, 0, 7 * 24 * 3_600_000),
      sweepIntervalMs: int('IES_DR_SWEEP_INTERVAL_MS', 60_000, 500, 3_600_000),
      webhookKeyFile: str('IES_WEBHOOK_KEY_FILE', '.stack/keys/webhook.private.jwk.json'),
      allowLoopbackWebhooks: str('IES_WEBHOOK_ALLOW_LOOPBACK_HTTP', 'false') === 'true',
      webhookAllowedNetworks: cidrs('IES_WEBHOOK_ALLOWED_NETWORKS', str('IES_WEBHOOK_ALLOWED_NETWORKS', ''), problems),
      kafkaCredentials: {
        issuer: kafkaIssuer(str('IES_DR_KAFKA_ISSUER', ''), env, secretsDir, secretFile, problems),
        defaultTtlSeconds: int('IES_DR_KAFKA_CREDENTIAL_TTL_SECONDS', 3_600, 60, 30 * 86_400),
        maxTtlSeconds: int('IES_DR_KAFKA_CREDENTIAL_MAX_TTL_SECONDS', 86_400, 60, 30 * 86_400),
        bootstrapServers: str('IES_DR_KAFKA_CLIENT_BROKERS', brokers.join(',')).split(',').map((b) => b.trim()).filter(Boolean),
        // The aggregator's own registry view on the DR front door (@ies/dr SCHEMA_REGISTRY_VIEW_PREFIX), authenticated with the credential itself.
        schemaRegistryUrl: url('IES_DR_KAFKA_CLIENT_REGISTRY_URL', `${publicUrl.replace(/\/+$/, '')}/v1/dr/schema-registry`, ['http:', 'https:']),
        sweepIntervalMs: int('IES_DR_KAFKA_CREDENTIAL_SWEEP_MS', 30_000, 200, 3_600_000),
      },
      webhookQueue: str('IES_WEBHOOK_QUEUE', '') || undefined,
      mqtt: {
        host: str('IES_OPENADR_MQTT_HOST', '127.0.0.1'),
        port: int('IES_OPENADR_MQTT_PORT', 18830, 0, 65_535),
        uris: str('IES_OPENADR_MQTT_URIS', `mqtt://${str('IES_OPENADR_MQTT_HOST', '127.0.0.1')}:${str('IES_OPENADR_MQTT_PORT', '18830')}`).split(',').map((u) => u.trim()).filter(Boolean),
      },
    },
    loader: {
      insertsInFlight: int('IES_LOADER_INSERTS_IN_FLIGHT', 2, 1, 16),
    },
    settlement: {
      keysDir: str('IES_SETTLEMENT_KEYS_DIR', '.stack/keys/settlement'),
      policiesDir: str('IES_SETTLEMENT_POLICIES_DIR', ''),
      reconcileGraceMs: int('IES_SETTLEMENT_RECONCILE_GRACE_MS', 2 * 3_600_000, 0, 7 * 24 * 3_600_000),
      reconcileLookbackDays: int('IES_SETTLEMENT_RECONCILE_LOOKBACK_DAYS', 7, 1, 90),
      reconcileIntervalMs: int('IES_SETTLEMENT_RECONCILE_INTERVAL_MS', 5 * 60_000, 500, 24 * 3_600_000),
      peerUrls: peerUrls(str('IES_SETTLEMENT_PEER_URLS', ''), problems),
      tradeBackfillMs: int('IES_P2P_TRADE_BACKFILL_MS', 0, 0, 30 * 24 * 3_600_000),
      statementGraceMs: int('IES_SETTLEMENT_STATEMENT_GRACE_MS', 6 * 3_600_000, 0, 30 * 24 * 3_600_000),
      statementWindowDays: int('IES_SETTLEMENT_STATEMENT_WINDOW_DAYS', 7, 1, 90),
      statementIntervalMs: int('IES_SETTLEMENT_STATEMENT_INTERVAL_MS', 15 * 60_000, 500, 24 * 3_600_000),
    },
    witness: {
      name: witnessName,
      keysDir: str('IES_WITNESS_KEYS_DIR', '.stack/keys/witness'),
      logs: witnessLogs,
    },
    notary: {
      keysDir: str('IES_NOTARY_KEYS_DIR', '.stack/keys/notary'),
      originPrefix: originPrefix,
      checkpointIntervalMs: int('IES_NOTARY_CHECKPOINT_INTERVAL_MS', 1000, 1000, 60_000),
      witnesses: notaryWitnesses('IES_NOTARY_WITNESSES', str('IES_NOTARY_WITNESSES', ''), problems),
      witnessQuorum: int('IES_NOTARY_WITNESS_QUORUM', 1, 1, 16),
      mlDsa44: str('IES_NOTARY_MLDSA44', 'false') === 'true',
      tilesNice: int('IES_TILES_NICE', 10, 0, 19),
      recheckPercent: int('IES_NOTARY_RECHECK_PERCENT', 100, 0, 100),
      recheckNice: int('IES_NOTARY_RECHECK_NICE', 10, 0, 19),
    },
    tenants,
    auth: {
      maxSkewSeconds: int('IES_AUTH_MAX_SKEW_SECONDS', 300, 0, 3600),
      operatorJwksFile: str('IES_OPERATOR_JWKS_FILE', '.stack/keys/operator.jwks.json'),
    },
    credentials: {
      contextsDir: str('IES_CREDENTIAL_CONTEXTS_DIR', '') || undefined,
    },
    ingest: {
      maxReadsPerBatch: int('IES_INGEST_MAX_READS', 50_000, 1, 1_000_000),
      maxBodyBytes: int('IES_INGEST_MAX_BODY_BYTES', 16 * 1024 * 1024, 1024, 256 * 1024 * 1024),
      idempotencyTtlSeconds: int('IES_INGEST_IDEMPOTENCY_TTL_SECONDS', 7 * 24 * 3600, 60, 90 * 24 * 3600),
      kafkaAckTimeoutMs: int('IES_INGEST_KAFKA_ACK_TIMEOUT_MS', 10_000, 100, 120_000),
      pendingTtlSeconds: int('IES_INGEST_PENDING_TTL_SECONDS', 300, 180, 3600),
      maxNotaryLagMs: int('IES_INGEST_MAX_NOTARY_LAG_MS', 1000, 0, 3_600_000),
      compactFastPath: str('IES_INGEST_COMPACT_FAST_PATH', 'true') !== 'false',
      coalesceSends: str('IES_INGEST_COALESCE_SENDS', 'true') !== 'false',
    },
  };
  // Node refuses a headers timeout longer than the request timeout.
  if (config.http.headersTimeoutMs > config.http.requestTimeoutMs) {
    problems.push(`IES_HTTP_HEADERS_TIMEOUT_MS=${config.http.headersTimeoutMs} must not exceed IES_HTTP_REQUEST_TIMEOUT_MS=${config.http.requestTimeoutMs}`);
  }
  // A replayed message must still be remembered when its iat is as old as the skew allows.
  if (config.ingest.idempotencyTtlSeconds < 2 * config.auth.maxSkewSeconds) {
    problems.push(`IES_INGEST_IDEMPOTENCY_TTL_SECONDS=${config.ingest.idempotencyTtlSeconds} must be at least twice IES_AUTH_MAX_SKEW_SECONDS=${config.auth.maxSkewSeconds}`);
  }
  if (problems.length > 0) {
    throw new IesError('IES_ERR_CONFIG_INVALID', `invalid configuration: ${problems.join('; ')}`, { details: { problems } });
  }
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
