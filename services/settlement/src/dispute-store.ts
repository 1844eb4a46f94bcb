import type { Producer } from 'kafkajs';
import { TOPICS, topicName } from '@ies/contracts';
import { ACKS_ALL, type AvroSerde } from '@ies/kafka';
import type { Redis } from '@ies/redis';
import type { DisputeAdjustment } from './domain/dispute-admission.js';
import type { DecidedFigure } from './domain/dispute-decision.js';
import type { DisputeDocument } from './domain/dispute.js';
import type { ProvenEvidence } from './domain/dispute-evidence.js';
import type { DisputeStatus } from './domain/dispute-lifecycle.js';

/** A signed write as kept: the detached JWS, the exact bytes it covers (base64url) and the key. */
export interface SignedWrite {
  readonly jws: string;
  readonly body: string;
  readonly kid: string;
}

export interface DisputeRecord {
  readonly disputeId: string;
  /** The DISCOM whose statement is disputed (the tenant it is kept in). */
  readonly discomId: string;
  readonly statementId: string;
  readonly day: string;
  readonly status: DisputeStatus;
  readonly document: DisputeDocument;
  readonly raisedBy: { readonly discomId: string; readonly participantId: string; readonly role: string };
  readonly raisedAt: number;
  /** Claimed while RAISED/UNDER_REVIEW; what the next run applies once UPHELD (the decided figures' when upheld in part). */
  readonly adjustments: readonly DisputeAdjustment[];
  /** Upheld in part: the figure upheld for each disputed line, in the document's order. */
  readonly decided?: readonly DecidedFigure[];
  readonly proven: ProvenEvidence;
  /** The run statement whose adjustment line cites the dispute, once APPLIED. */
  readonly appliedIn: { readonly statementId: string; readonly version: number } | null;
}

export interface DisputeChange {
  readonly status: DisputeStatus;
  readonly at: number;
  readonly by: string;
  readonly byDiscomId: string;
  readonly reason: string | null;
  readonly signed?: SignedWrite;
  readonly statementId?: string;
}

// New record: only when absent. Transition: compare-and-set on the status.
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[3])
return 1`;
const MOVE = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
if cjson.decode(raw)['status'] ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('RPUSH', KEYS[2], ARGV[3])
return 1`;

// A rebuilt record, its whole history and its day index, only when absent.
const RESTORE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
for i = 3, #ARGV do redis.call('RPUSH', KEYS[2], ARGV[i]) end
redis.call('SADD', KEYS[3], ARGV[2])
return 1`;

/**
 * Disputes in Redis, per tenant (the DISCOM whose statement is disputed): the record, its
 * history and an index per IST day; every change also goes to disputes.v1 (published before
 * the Redis commit, like statements: a retried write publishes the same transition again,
 * which consumers keep once per (disputeId, status)).
 */
export class DisputeStore {
  constructor(private readonly redis: Redis, private readonly out?: { producer: Producer; serde: AvroSerde }) {}

  private key = (d: string, id: string) => `ies:${d}:dispute:${id}`;
  private hist = (d: string, id: string) => `ies:${d}:dispute:hist:${id}`;
  private dayKey = (d: string, day: string) => `ies:${d}:disputes:day:${day}`;

  async get(discomId: string, id: string): Promise<DisputeRecord | undefined> {
    const raw = await this.redis.get(this.key(discomId, id));
    return raw === null ? undefined : (JSON.parse(raw) as DisputeRecord);
  }

  async history(discomId: string, id: string): Promise<DisputeChange[]> {
    return (await this.redis.lrange(this.hist(discomId, id), 0, -1)).map((h) => JSON.parse(h) as DisputeChange);
  }

  /** Every dispute on the DISCOM's statements of the day, by id. */
  async ofDay(discomId: string, day: string): Promise<DisputeRecord[]> {
    const ids = (await this.redis.smembers(this.dayKey(discomId, day))).sort();
    return (await Promise.all(ids.map((id) => this.get(discomId, id)))).filter((r): r is DisputeRecord => r !== undefined);
  }

  /** False when the dispute already exists (the same signed document raised twice). */
  async create(record: DisputeRecord, change: DisputeChange): Promise<boolean> {
    await this.publish(record, change);
    const r = await this.redis.eval(CREATE, 3, this.key(record.discomId, record.disputeId), this.hist(record.discomId, record.disputeId), this.dayKey(record.discomId, record.day), JSON.stringify(record), JSON.stringify(change), record.disputeId);
    return r === 1;
  }

  /** Moves the dispute from `from` to the record's status; false when it is no longer `from`. */
  async move(from: DisputeStatus, next: DisputeRecord, change: DisputeChange): Promise<boolean> {
    await this.publish(next, change);
    const r = await this.redis.eval(MOVE, 2, this.key(next.discomId, next.disputeId), this.hist(next.discomId, next.disputeId), from, JSON.stringify(next), JSON.stringify(change));
    return r === 1;
  }

  /**
   * Puts back a dispute rebuilt from disputes.v1 (dispute-store-rebuild.ts): only when Redis
   * holds no record of it, so a live dispute is never overwritten. True when written.
   */
  async restore(record: DisputeRecord, history: readonly DisputeChange[]): Promise<boolean> {
    const r = await this.redis.eval(RESTORE, 3, this.key(record.discomId, record.disputeId), this.hist(record.discomId, record.disputeId), this.dayKey(record.discomId, record.day), JSON.stringify(record), record.disputeId, ...history.map((h) => JSON.stringify(h)));
    return r === 1;
  }

  private async publish(record: DisputeRecord, change: DisputeChange): Promise<void> {
    if (this.out === undefined) return;
    const value = await this.out.serde.encode(record.discomId, TOPICS.disputes, {
      disputeId: record.disputeId, discomId: record.discomId, statementId: record.statementId, day: record.day, disputeType: record.document.type,
      status: change.status, by: change.by, byDiscomId: change.byDiscomId, reason: change.reason, adjustments: record.adjustments.map((a) => ({ counterparty: a.counterparty, amountPaise: a.amountPaise })),
      appliedInStatementId: record.appliedIn?.statementId ?? null, signedJws: change.signed?.jws ?? null, signedBody: change.signed?.body ?? null, at: change.at,
      stateJson: JSON.stringify({ record, change }),
    });
    await this.out.producer.send({ topic: topicName(record.discomId, TOPICS.disputes), acks: ACKS_ALL, messages: [{ key: record.disputeId, value }] });
  }
}
