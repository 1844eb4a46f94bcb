import type { Producer } from 'kafkajs';
import { TOPICS, topicName } from '@ies/contracts';
import { IesError } from '@ies/errors';
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
// Each queues the transition in the tenant's outbox in the same atomic step: a transition is
// either committed and queued for disputes.v1, or neither.
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[3])
redis.call('XADD', KEYS[4], '*', 'transition', ARGV[4])
return 1`;
const MOVE = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
if cjson.decode(raw)['status'] ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('XADD', KEYS[3], '*', 'transition', ARGV[4])
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
 * history and an index per IST day. Every change reaches disputes.v1 through an outbox, like
 * DR events: it is committed (a compare-and-set) and queued in one step, then relayed, and the
 * caller is answered only after Kafka took it (acks=all). So only a change that won its
 * compare-and-set is ever published: two decisions racing on one dispute publish one
 * transition, the one Redis kept, and a rebuild from the topic agrees with what was answered.
 * A crash between the commit and the relay leaves the change queued for the next relay (the
 * settlement front door relays every tenant's outbox every few seconds); a relay repeated
 * after a crash publishes a change again, which consumers keep once per (disputeId, status).
 */
export class DisputeStore {
  constructor(private readonly redis: Redis, private readonly out?: { producer: Producer; serde: AvroSerde }) {}

  private key = (d: string, id: string) => `ies:${d}:dispute:${id}`;
  private hist = (d: string, id: string) => `ies:${d}:dispute:hist:${id}`;
  private dayKey = (d: string, day: string) => `ies:${d}:disputes:day:${day}`;
  private outbox = (d: string) => `ies:${d}:dispute:outbox`;

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

  /**
   * False when the dispute already exists (the same signed document raised twice). Answers
   * after the tenant's outbox is relayed, so a retried raise also waits until its RAISED is on
   * the topic.
   */
  async create(record: DisputeRecord, change: DisputeChange): Promise<boolean> {
    const r = await this.redis.eval(CREATE, 4, this.key(record.discomId, record.disputeId), this.hist(record.discomId, record.disputeId), this.dayKey(record.discomId, record.day), this.outbox(record.discomId), JSON.stringify(record), JSON.stringify(change), record.disputeId, transitionEntry(record, change));
    await this.relay(record.discomId);
    return r === 1;
  }

  /** Moves the dispute from `from` to the record's status; false when it is no longer `from` (nothing is published then). */
  async move(from: DisputeStatus, next: DisputeRecord, change: DisputeChange): Promise<boolean> {
    const r = await this.redis.eval(MOVE, 3, this.key(next.discomId, next.disputeId), this.hist(next.discomId, next.disputeId), this.outbox(next.discomId), from, JSON.stringify(next), JSON.stringify(change), transitionEntry(next, change));
    await this.relay(next.discomId);
    return r === 1;
  }

  /**
   * Publishes what the tenant's outbox holds to disputes.v1, oldest first, then removes it.
   * Safe to run concurrently (at least once). A store without a producer (a rebuild's) relays
   * nothing. Kafka refusing leaves the changes queued: 503 with a retry hint.
   */
  async relay(discomId: string): Promise<number> {
    if (this.out === undefined) return 0;
    const out = this.out;
    const entries = await this.redis.xrange(this.outbox(discomId), '-', '+', 'COUNT', 500);
    if (entries.length === 0) return 0;
    const messages = await Promise.all(entries.map(async ([, fields]) => {
      const { record, change } = JSON.parse(fields[1] as string) as { record: DisputeRecord; change: DisputeChange };
      return { key: record.disputeId, value: await encodeTransition(out.serde, record, change) };
    }));
    try {
      await out.producer.send({ topic: topicName(discomId, TOPICS.disputes), acks: ACKS_ALL, messages });
    } catch (cause) {
      throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `Kafka did not take ${messages.length} dispute transition(s) of ${discomId}: ${(cause as Error).message}; they are recorded and stay queued, and are published on the next attempt`, { cause, details: { retryAfterSeconds: 5 } });
    }
    await this.redis.xdel(this.outbox(discomId), ...entries.map(([id]) => id));
    return entries.length;
  }

  /**
   * Puts back a dispute rebuilt from disputes.v1 (dispute-store-rebuild.ts): only when Redis
   * holds no record of it, so a live dispute is never overwritten. True when written.
   */
  async restore(record: DisputeRecord, history: readonly DisputeChange[]): Promise<boolean> {
    const r = await this.redis.eval(RESTORE, 3, this.key(record.discomId, record.disputeId), this.hist(record.discomId, record.disputeId), this.dayKey(record.discomId, record.day), JSON.stringify(record), record.disputeId, ...history.map((h) => JSON.stringify(h)));
    return r === 1;
  }
}

/** The outbox entry of a transition: the record after it and its history entry. */
function transitionEntry(record: DisputeRecord, change: DisputeChange): string {
  return JSON.stringify({ record, change });
}

/** A transition as disputes.v1 carries it (schemas-avro/dispute.v1.avsc); `stateJson` is what a rebuild restores. */
function encodeTransition(serde: AvroSerde, record: DisputeRecord, change: DisputeChange): Promise<Buffer> {
  return serde.encode(record.discomId, TOPICS.disputes, {
    disputeId: record.disputeId, discomId: record.discomId, statementId: record.statementId, day: record.day, disputeType: record.document.type,
    status: change.status, by: change.by, byDiscomId: change.byDiscomId, reason: change.reason, adjustments: record.adjustments.map((a) => ({ counterparty: a.counterparty, amountPaise: a.amountPaise })),
    appliedInStatementId: record.appliedIn?.statementId ?? null, signedJws: change.signed?.jws ?? null, signedBody: change.signed?.body ?? null, at: change.at,
    stateJson: JSON.stringify({ record, change }),
  });
}
