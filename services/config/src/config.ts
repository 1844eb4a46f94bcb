import { readFileSync } from 'node:fs';
import path from 'node:path';
import { IesError } from '@ies/errors';

/** The whole runtime configuration, read once from the environment and frozen. */
export interface Config {
  readonly nodeId: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly kafka: {
    readonly brokers: readonly string[];
    readonly clientId: string;
    /** Replication factor for topics the project creates (3 on a 3-broker cluster). */
    readonly replicationFactor: number;
    /** The principal this process authenticates as; undefined when none was named (no Kafka client can be made). */
    readonly sasl: KafkaSasl | undefined;
  };
  readonly registry: { readonly url: string };
  readonly clickhouse: {
    readonly url: string;
    readonly database: string;
    readonly username: string;
    readonly password: string;
  };
  readonly redis: {
    readonly url: string;
    /** AUTH password ('' = none): IES_REDIS_PASSWORD, else the URL's, else `<secretsDir>/redis.password`. */
    readonly password: string;
  };
  /** Where the local stack's credentials are (IES_SECRETS_DIR, default `$IES_STACK_DIR/secrets` or `.stack/secrets`). */
  readonly secretsDir: string;
  readonly dr: {
    /** An event is measured once its window closed this long ago (reads arrive after the fact). */
    readonly performanceGraceMs: number;
    /** How often open events are (re)measured; late reads produce a new version. */
    readonly sweepIntervalMs: number;
    /** The node's private key (JWK file, created on first start) that signs webhook deliveries. */
    readonly webhookKeyFile: string;
    /** Accept loopback webhooks, and http:// ones on 127.0.0.1/localhost (local stack and demo only). */
    readonly allowLoopbackWebhooks: boolean;
    /** Non-public networks (CIDR) webhooks may still be delivered to; by default public addresses only. */
    readonly webhookAllowedNetworks: readonly string[];
  };
  readonly notary: {
    /** Directory of per-tenant notary key files `<discom>.jwks.json` (private; created on first start). */
    readonly keysDir: string;
    /** Log origin prefix: a tenant's log is `<originPrefix>/<discom>` (C2SP checkpoint origin and note key name). */
    readonly originPrefix: string;
    /** Minimum time between two checkpoints while batches arrive. */
    readonly checkpointIntervalMs: number;
  };
  readonly settlement: {
    /** Directory of per-DISCOM settlement key files `<discom>.jwks.json` (private; created on first use). */
    readonly keysDir: string;
    /** A trade's side is allocated once its delivery window ended this long ago (reads arrive after the fact). */
    readonly reconcileGraceMs: number;
    /** How many IST days back the sweep recomputes trades, so late or revised reads reopen them. */
    readonly reconcileLookbackDays: number;
    /** How often the P2P reconciliation sweep runs. */
    readonly reconcileIntervalMs: number;
    /** Settlement endpoints of peer DISCOMs on other nodes (`POST <url>/v1/p2p/sides`), by DISCOM id. */
    readonly peerUrls: Readonly<Record<string, string>>;
    /**
     * How late a platform may lodge a trade it confirmed before delivery (0 = never: a trade's
     * window must start after the node's clock). Within it, the contract's own timestamp is
     * the time the window and cancellations are judged at; the signature must still be fresh.
     */
    readonly tradeBackfillMs: number;
    /** A day's statement is first built once the IST day ended this long ago (reconciliation and late reads settle first). */
    readonly statementGraceMs: number;
    /** How many IST days back statements are re-evaluated, so late data yields a DRAFT update or a revision. */
    readonly statementWindowDays: number;
    /** How often each DISCOM's statement sweep (a bullmq repeatable job) runs. */
    readonly statementIntervalMs: number;
  };
  readonly http: {
    readonly host: string;
    readonly port: number;
    /** The whole request (headers and body) must arrive within this; then 408 and the connection is closed. */
    readonly requestTimeoutMs: number;
    /** The request line and headers must arrive within this (at most requestTimeoutMs). */
    readonly headersTimeoutMs: number;
    /** A connection with no traffic either way for this long is closed. */
    readonly connectionTimeoutMs: number;
    /** An idle keep-alive connection is closed after this. */
    readonly keepAliveTimeoutMs: number;
  };
  /** DISCOMs this node serves (its tenants). */
  readonly tenants: readonly string[];
  readonly auth: {
    /** Allowed distance between a signature's `iat` and the node clock, both ways. */
    readonly maxSkewSeconds: number;
    /** JWKS file holding the node operator's public key(s); they sign registry documents. */
    readonly operatorJwksFile: string;
  };
  readonly ingest: {
    readonly maxReadsPerBatch: number;
    readonly maxBodyBytes: number;
    /** How long a batch id is remembered for replay detection. */
    readonly idempotencyTtlSeconds: number;
    /** How long an accepted write may wait for Kafka's acknowledgement before answering 503. */
    readonly kafkaAckTimeoutMs: number;
    /** How long a claimed batch id stays PENDING when its Kafka write is uncertain; longer than any send can take. */
    readonly pendingTtlSeconds: number;
    /**
     * New batches get 503 + Retry-After while the notary's oldest batch without a receipt has
     * waited longer than its checkpoint interval plus this (default 500 ms; 0 = off).
     */
    readonly maxNotaryLagMs: number;
  };
}

export interface KafkaSasl {
  readonly mechanism: 'scram-sha-512' | 'scram-sha-256' | 'plain';
  readonly username: string;
  readonly password: string;
  /** Where the password came from (env name or file path), for error messages; never the secret. */
  readonly passwordFrom: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export interface LoadConfigOptions {
  /**
   * The Kafka principal this process is (`notary`, `gateway`, …, `admin` for provisioning):
   * its password is read from `<secretsDir>/kafka/<principal>.password` unless
   * IES_KAFKA_PASSWORD or IES_KAFKA_PASSWORD_FILE says otherwise. IES_KAFKA_USERNAME, when
   * set, replaces it (a process deployed under another user name).
   */
  readonly principal?: string;
}

const SASL_MECHANISMS = ['scram-sha-512', 'scram-sha-256', 'plain'] as const;

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

  const originPrefix = str('IES_NOTARY_ORIGIN_PREFIX', `ies.local/${str('IES_NODE_ID', 'ies-node-local')}`);
  if (/[\s+]/.test(originPrefix) || originPrefix.length === 0) problems.push(`IES_NOTARY_ORIGIN_PREFIX=${JSON.stringify(originPrefix)} must be non-empty without whitespace or '+' (it names the note key)`);

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
    http: {
      host: str('IES_HTTP_HOST', '127.0.0.1'),
      port: int('IES_HTTP_PORT', 8080, 0, 65535),
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
    },
    settlement: {
      keysDir: str('IES_SETTLEMENT_KEYS_DIR', '.stack/keys/settlement'),
      reconcileGraceMs: int('IES_SETTLEMENT_RECONCILE_GRACE_MS', 2 * 3_600_000, 0, 7 * 24 * 3_600_000),
      reconcileLookbackDays: int('IES_SETTLEMENT_RECONCILE_LOOKBACK_DAYS', 7, 1, 90),
      reconcileIntervalMs: int('IES_SETTLEMENT_RECONCILE_INTERVAL_MS', 5 * 60_000, 500, 24 * 3_600_000),
      peerUrls: peerUrls(str('IES_SETTLEMENT_PEER_URLS', ''), problems),
      tradeBackfillMs: int('IES_P2P_TRADE_BACKFILL_MS', 0, 0, 30 * 24 * 3_600_000),
      statementGraceMs: int('IES_SETTLEMENT_STATEMENT_GRACE_MS', 6 * 3_600_000, 0, 30 * 24 * 3_600_000),
      statementWindowDays: int('IES_SETTLEMENT_STATEMENT_WINDOW_DAYS', 7, 1, 90),
      statementIntervalMs: int('IES_SETTLEMENT_STATEMENT_INTERVAL_MS', 15 * 60_000, 500, 24 * 3_600_000),
    },
    notary: {
      keysDir: str('IES_NOTARY_KEYS_DIR', '.stack/keys/notary'),
      originPrefix: originPrefix,
      checkpointIntervalMs: int('IES_NOTARY_CHECKPOINT_INTERVAL_MS', 1000, 1000, 60_000),
    },
    tenants,
    auth: {
      maxSkewSeconds: int('IES_AUTH_MAX_SKEW_SECONDS', 300, 0, 3600),
      operatorJwksFile: str('IES_OPERATOR_JWKS_FILE', '.stack/keys/operator.jwks.json'),
    },
    ingest: {
      maxReadsPerBatch: int('IES_INGEST_MAX_READS', 50_000, 1, 1_000_000),
      maxBodyBytes: int('IES_INGEST_MAX_BODY_BYTES', 16 * 1024 * 1024, 1024, 256 * 1024 * 1024),
      idempotencyTtlSeconds: int('IES_INGEST_IDEMPOTENCY_TTL_SECONDS', 7 * 24 * 3600, 60, 90 * 24 * 3600),
      kafkaAckTimeoutMs: int('IES_INGEST_KAFKA_ACK_TIMEOUT_MS', 10_000, 100, 120_000),
      pendingTtlSeconds: int('IES_INGEST_PENDING_TTL_SECONDS', 300, 180, 3600),
      maxNotaryLagMs: int('IES_INGEST_MAX_NOTARY_LAG_MS', 500, 0, 3_600_000),
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

/** `10.20.0.0/16,fd00:1::/48` → the CIDRs (the webhooks service parses them exactly at start-up). */
function cidrs(name: string, text: string, problems: string[]): string[] {
  const out = text.split(',').map((e) => e.trim()).filter(Boolean);
  for (const c of out) {
    if (!/^(?:\d{1,3}(?:\.\d{1,3}){3}\/\d{1,2}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\/\d{1,3})$/.test(c)) problems.push(`${name} entry ${JSON.stringify(c)} must be a CIDR such as 10.20.0.0/16 or fd00:1::/48`);
  }
  return out;
}

/** The Kafka SASL credentials of the named principal (see LoadConfigOptions). */
function kafkaSasl(env: Env, options: LoadConfigOptions, secretsDir: string, secretFile: (file: string, what: string) => string, problems: string[]): KafkaSasl | undefined {
  const username = env.IES_KAFKA_USERNAME || options.principal;
  if (username === undefined || username === '') return undefined;
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(username)) {
    problems.push(`Kafka user ${JSON.stringify(username)} must be letters, digits, '.', '_' or '-'`);
    return undefined;
  }
  const mechanism = env.IES_KAFKA_SASL_MECHANISM || 'scram-sha-512';
  if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) problems.push(`IES_KAFKA_SASL_MECHANISM=${JSON.stringify(mechanism)} must be one of ${SASL_MECHANISMS.join(', ')}`);
  let password = env.IES_KAFKA_PASSWORD ?? '';
  let passwordFrom = 'IES_KAFKA_PASSWORD';
  if (password === '') {
    passwordFrom = env.IES_KAFKA_PASSWORD_FILE || path.join(secretsDir, 'kafka', `${username}.password`);
    password = secretFile(passwordFrom, `Kafka password of ${username}`);
    if (password === '') problems.push(`no Kafka password for principal ${username}: ${passwordFrom} is missing or empty ('npm run stack:up' makes it on the local stack; elsewhere set IES_SECRETS_DIR, IES_KAFKA_PASSWORD_FILE or IES_KAFKA_PASSWORD)`);
  }
  return { mechanism: mechanism as KafkaSasl['mechanism'], username, password, passwordFrom };
}

/** The password part of a URL ('' when none). */
function urlPassword(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return '';
  }
}

/** `DISCOM=https://peer-node,DISCOM=…` → { DISCOM: url } (IES_SETTLEMENT_PEER_URLS). */
function peerUrls(text: string, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of text.split(',').map((e) => e.trim()).filter(Boolean)) {
    const [discom, url] = [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)];
    let ok = /^[A-Z0-9]+(-[A-Z0-9]+)*$/.test(discom);
    try {
      ok &&= ['http:', 'https:'].includes(new URL(url).protocol);
    } catch {
      ok = false;
    }
    if (!ok) problems.push(`IES_SETTLEMENT_PEER_URLS entry ${JSON.stringify(entry)} must be DISCOM=http(s)://host[:port]`);
    else out[discom] = url.replace(/\/+$/, '');
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Config printed or logged: secrets replaced, so nothing secret reaches a log. */
export function redactConfig(config: Config): unknown {
  return {
    ...config,
    kafka: { ...config.kafka, sasl: config.kafka.sasl === undefined ? undefined : { ...config.kafka.sasl, password: '***' } },
    registry: { url: withoutUserInfo(config.registry.url) },
    clickhouse: { ...config.clickhouse, url: withoutUserInfo(config.clickhouse.url), password: config.clickhouse.password ? '***' : '' },
    redis: { url: withoutUserInfo(config.redis.url), password: config.redis.password ? '***' : '' },
  };
}

/** A URL with any user:password@ part masked. */
function withoutUserInfo(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '***';
      u.password = '';
    }
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(unparseable URL)';
  }
}
