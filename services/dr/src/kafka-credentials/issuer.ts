import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import type { Redis } from '@ies/redis';
import type { KafkaCredentialSettings } from '@ies/config';
import { AGGREGATOR_FEED_TOPICS, TOPICS, aggregatorTopicName } from '@ies/contracts';
import { IesError } from '@ies/errors';
import { consumerCredentialAcls, deleteScramUser, topicConfig, upsertScramUser, type ScramAdminAuth } from '@ies/kafka';

/** Credentials one aggregator may hold at once (rotation needs two; a runaway client cannot fill the cluster with users). */
export const MAX_CREDENTIALS_PER_AGGREGATOR = 5;

/** What the node keeps of an issued credential: never the secret (Kafka keeps only its salted SCRAM hash). */
export interface IssuedCredential {
  readonly username: string;
  readonly discomId: string;
  readonly aggregatorId: string;
  readonly topics: readonly string[];
  readonly groupPrefix: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly issuedBy: string;
  /** SHA-256 (hex) of the SASL password, so the registry view (schema-registry-view.ts) can check the same secret as HTTP Basic; a fast hash suffices for 256 random bits. */
  readonly secretSha256?: string;
}

/** The DEG DatasetFulfillment v1.1 `KafkaConsumerCredentials` stream connection, plus what an IES client also needs. */
export type KafkaConsumerCredentials = Record<string, unknown>;

/**
 * Issues each aggregator its own SCRAM-SHA-512 user on the cluster, allowed to READ only its
 * own feed topics of one tenant (`ies.<discom>.agg.<aggregatorId>.*`, LITERAL) and consumer
 * groups under `agg.<discom>.<aggregatorId>.`; revokes them on request and when they expire.
 * Revocation deletes the ACLs first (every later request on an open connection is refused)
 * and then the SCRAM user (no new connection authenticates).
 */
export class KafkaCredentialIssuer {
  private admin: Admin | undefined;
  private readonly auth: ScramAdminAuth;

  constructor(private readonly opts: { kafka: Kafka; redis: Redis; settings: KafkaCredentialSettings; brokers: readonly string[]; replicationFactor: number; issuer: { username: string; password: string }; now: () => number }) {
    this.auth = { brokers: opts.brokers, username: opts.issuer.username, password: opts.issuer.password };
  }

  async issue(discomId: string, aggregatorId: string, issuedBy: string, ttlSeconds: number | undefined): Promise<{ record: IssuedCredential; credentials: KafkaConsumerCredentials }> {
    const { settings } = this.opts;
    // Group ACLs are prefixes: an id with '.' would make one aggregator's prefix cover another's groups.
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(aggregatorId)) throw new IesError('IES_ERR_VALIDATION', `aggregator id ${JSON.stringify(aggregatorId)} cannot name a Kafka user: Kafka credentials are issued to ids of letters, digits, '_' and '-' (at most 64)`);
    const ttl = ttlSeconds ?? settings.defaultTtlSeconds;
    if (!Number.isInteger(ttl) || ttl < 60 || ttl > settings.maxTtlSeconds) throw new IesError('IES_ERR_VALIDATION', `ttlSeconds ${ttl} must be an integer from 60 to ${settings.maxTtlSeconds}`);
    const held = (await this.list(discomId, aggregatorId)).filter((r) => r.expiresAt > this.opts.now()).length;
    if (held >= MAX_CREDENTIALS_PER_AGGREGATOR) throw new IesError('IES_ERR_VALIDATION', `${aggregatorId} already holds ${held} Kafka credentials (at most ${MAX_CREDENTIALS_PER_AGGREGATOR}); revoke one (DELETE /v1/dr/kafka-credentials/{username}) before asking for another`);
    const now = this.opts.now();
    const secret = randomBytes(32).toString('base64url');
    const record: IssuedCredential = {
      username: `agg.${discomId}.${aggregatorId}.${randomBytes(6).toString('hex')}`,
      discomId, aggregatorId,
      topics: AGGREGATOR_FEED_TOPICS.map((id) => aggregatorTopicName(discomId, aggregatorId, TOPICS[id])),
      groupPrefix: `agg.${discomId}.${aggregatorId}.`,
      issuedAt: now, expiresAt: now + ttl * 1000, issuedBy, secretSha256: sha256Hex(secret),
    };
    // Recorded before Kafka knows the user: a crash between the two leaves something the sweeper deletes.
    await this.opts.redis.multi().set(credentialKey(discomId, record.username), JSON.stringify(record)).zadd(expiryKey(discomId), record.expiresAt, record.username).exec();
    try {
      await upsertScramUser(this.auth, record.username, secret);
      await (await this.connectedAdmin()).createAcls({ acl: consumerCredentialAcls(record.username, record.topics, record.groupPrefix) });
      await this.ensureFeedTopics(discomId, aggregatorId);
    } catch (err) {
      await this.revoke(discomId, record.username).catch(() => undefined);
      throw err instanceof IesError ? err : new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `issuing the Kafka credential failed: ${(err as Error).message}; nothing was issued, retry`, { cause: err });
    }
    return { record, credentials: this.describe(record, secret) };
  }

  async get(discomId: string, username: string): Promise<IssuedCredential | undefined> {
    const raw = await this.opts.redis.get(credentialKey(discomId, username));
    return raw === null ? undefined : (JSON.parse(raw) as IssuedCredential);
  }

  /**
   * The live credential a SASL username and password name (the registry view's HTTP Basic):
   * undefined when unknown, revoked, expired or the password does not match.
   */
  async authenticate(username: string, password: string): Promise<IssuedCredential | undefined> {
    const discomId = /^agg\.([A-Z0-9]+(?:-[A-Z0-9]+)*)\./.exec(username)?.[1];
    if (discomId === undefined) return undefined;
    const record = await this.get(discomId, username);
    if (!record || record.secretSha256 === undefined || record.expiresAt <= this.opts.now()) return undefined;
    const [a, b] = [Buffer.from(record.secretSha256, 'hex'), Buffer.from(sha256Hex(password), 'hex')];
    return a.length === b.length && timingSafeEqual(a, b) ? record : undefined;
  }

  async list(discomId: string, aggregatorId?: string): Promise<IssuedCredential[]> {
    const names = await this.opts.redis.zrange(expiryKey(discomId), 0, -1);
    const out: IssuedCredential[] = [];
    for (const n of names) {
      const r = await this.get(discomId, n);
      if (r && (aggregatorId === undefined || r.aggregatorId === aggregatorId)) {
        const { secretSha256: _hash, ...shown } = r;
        out.push(shown);
      }
    }
    return out;
  }

  /** Deletes the credential's ACLs, then its SCRAM user, then the record. Idempotent. */
  async revoke(discomId: string, username: string): Promise<void> {
    const record = await this.get(discomId, username);
    if (record) await (await this.connectedAdmin()).deleteAcls({ filters: consumerCredentialAcls(record.username, record.topics, record.groupPrefix) });
    await deleteScramUser(this.auth, username);
    await this.opts.redis.multi().del(credentialKey(discomId, username)).zrem(expiryKey(discomId), username).exec();
  }

  /** Revokes every credential of `discomId` whose expiry has passed; the number revoked. */
  async sweep(discomId: string): Promise<number> {
    const due = await this.opts.redis.zrangebyscore(expiryKey(discomId), 0, this.opts.now());
    for (const username of due) await this.revoke(discomId, username);
    return due.length;
  }

  async close(): Promise<void> {
    await this.admin?.disconnect();
  }

  private describe(r: IssuedCredential, secret: string): KafkaConsumerCredentials {
    const { settings } = this.opts;
    return {
      '@type': 'KafkaConsumerCredentials',
      'fulfillment:bootstrapServers': settings.bootstrapServers.join(','),
      'fulfillment:topicName': r.topics[0],
      'fulfillment:consumerGroupId': `${r.groupPrefix}feed`,
      'fulfillment:saslMechanism': 'SCRAM-SHA-512',
      'fulfillment:saslUsername': r.username,
      'fulfillment:saslPassword': secret,
      // The aggregator's own view of the registry: its feeds' subjects only, with this username and password as HTTP Basic.
      'fulfillment:schemaRegistryUrl': settings.schemaRegistryUrl,
      'fulfillment:startOffset': 'earliest',
      'fulfillment:credentialExpiresAt': new Date(r.expiresAt).toISOString(),
      'ies:topicNames': r.topics,
      'ies:consumerGroupPrefix': r.groupPrefix,
      'ies:securityProtocol': 'SASL_PLAINTEXT',
      'ies:valueFormat': 'AVRO_CONFLUENT_WIRE',
      'ies:isolationLevel': 'read_committed',
    };
  }

  /**
   * The DR service creates an aggregator's feed topics on its first record; until then a
   * consumer would see UNKNOWN_TOPIC_OR_PARTITION. The issuer creates the missing ones (same
   * configuration as the feed's), so the credential works from the first second.
   */
  private async ensureFeedTopics(discomId: string, aggregatorId: string): Promise<void> {
    const admin = await this.connectedAdmin();
    const present = new Set(await admin.listTopics());
    const missing = AGGREGATOR_FEED_TOPICS.map((id) => ({ ...topicConfig(discomId, TOPICS[id], this.opts.replicationFactor), topic: aggregatorTopicName(discomId, aggregatorId, TOPICS[id]) })).filter((t) => !present.has(t.topic));
    // Resolves false, not an error, when the feed created one meanwhile.
    if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
  }

  private async connectedAdmin(): Promise<Admin> {
    if (this.admin === undefined) {
      const admin = this.opts.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    return this.admin;
  }
}

function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

function credentialKey(discomId: string, username: string): string {
  return `ies:${discomId}:dr:kcred:${username}`;
}

function expiryKey(discomId: string): string {
  return `ies:${discomId}:dr:kcreds`;
}
