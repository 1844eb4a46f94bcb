import type { Redis } from '@ies/redis';
import { SettlementError } from './domain/codes.js';
import { seal, type BuiltStatement, type StatementContent, type StatementScope } from '@ies/verify';
import type { StatementRecord, StatementStatus } from './domain/statement-lifecycle.js';
import { statementJsonOfJws } from '@ies/verify';

/** What lists show of a statement without decoding its document. */
export interface StatementSummary {
  readonly statementId: string;
  readonly discomId: string;
  readonly scope: StatementScope;
  /** The IST day the statement belongs to (the event's day for a DR event statement). */
  readonly day: string;
  readonly version: number;
  readonly revises: { readonly id: string; readonly sha256: string } | null;
  readonly sha256: string;
  readonly status: StatementStatus;
  readonly complete: boolean;
  readonly lineCount: number;
  readonly totals: StatementContent['totals'];
  readonly updatedAt: number;
  /** The calendar run the statement is, when it is one. */
  readonly run?: StatementContent['run'];
}

export interface StoredStatement extends StatementSummary {
  readonly jws: string;
}

export interface StatusChange {
  readonly status: StatementStatus;
  readonly sha256: string;
  readonly at: number;
  readonly by: string;
  readonly reason: string | null;
  /**
   * A transition asked for by a signed write: the detached JWS (X-IES-Signature) and the
   * exact body bytes it covers (base64url), so anyone can check who decided it.
   */
  readonly signed?: { readonly jws: string; readonly body: string; readonly kid: string };
}

/** A statement and its record, as the run use case writes it. */
export interface StatementWrite {
  readonly built: BuiltStatement;
  readonly jws: string;
  readonly record: StatementRecord;
  readonly day: string;
  readonly change: StatusChange;
}

export const scopeKey = (scope: StatementScope) => (scope.kind === 'DAY' ? `day:${scope.day}` : `dr:${scope.eventId}`);

// The new document, the scope's latest pointer, the day index and the history, and (for a
// revision) the revised statement's SUPERSEDED status, in one atomic step guarded by the
// latest pointer and the document's hash: a concurrent run of the same scope loses, retries,
// and then finds nothing to change.
const SAVE = `
local latest = redis.call('GET', KEYS[2]) or ''
if latest ~= ARGV[1] then return 0 end
local sha = redis.call('HGET', KEYS[1], 'sha256') or ''
if sha ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'jws', ARGV[4], 'sha256', ARGV[5], 'status', ARGV[6], 'meta', ARGV[7])
redis.call('RPUSH', KEYS[4], ARGV[8])
redis.call('SET', KEYS[2], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[3])
if ARGV[9] ~= '' then
  redis.call('HSET', KEYS[5], 'status', 'SUPERSEDED')
  redis.call('RPUSH', KEYS[6], ARGV[9])
end
return 1`;

// A lifecycle transition: compare-and-set on the status and the hash it was decided on, the
// change queued in the tenant's outbox in the same step (statement-status.ts relays it to
// statements.v1 and ClickHouse): a transition is committed and queued, or neither.
const TRANSITION = `
if redis.call('HGET', KEYS[1], 'status') ~= ARGV[1] then return 0 end
if redis.call('HGET', KEYS[1], 'sha256') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[3])
redis.call('RPUSH', KEYS[2], ARGV[4])
redis.call('XADD', KEYS[3], '*', 'transition', ARGV[5])
return 1`;

// A rebuilt statement (statement-store-rebuild.ts), only when Redis holds no document of it:
// the document, its whole history, the day index, and the scope's latest pointer when absent.
const RESTORE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'jws', ARGV[1], 'sha256', ARGV[2], 'status', ARGV[3], 'meta', ARGV[4])
redis.call('DEL', KEYS[2])
for i = 7, #ARGV do redis.call('RPUSH', KEYS[2], ARGV[i]) end
redis.call('SADD', KEYS[3], ARGV[5])
if ARGV[6] == '1' then redis.call('SET', KEYS[4], ARGV[5], 'NX') end
return 1`;

/** A statement as rebuilt from its durable history. */
export interface RestoredStatement {
  readonly stored: StoredStatement;
  readonly history: readonly StatusChange[];
  /** It is the latest statement of its scope. */
  readonly latest: boolean;
}

/**
 * Statements in Redis, per tenant: the signed document (JWS) by id with its lifecycle status
 * beside it (never inside the signed content), the latest statement per scope, an index per
 * IST day and the status history. Every write is a compare-and-set (Lua), so two runs of the
 * same scope cannot both win.
 */
export class StatementStore {
  constructor(private readonly redis: Redis) {}

  private doc = (d: string, id: string) => `ies:${d}:stmt:doc:${id}`;
  private hist = (d: string, id: string) => `ies:${d}:stmt:hist:${id}`;
  private latestKey = (d: string, scope: StatementScope) => `ies:${d}:stmt:latest:${scopeKey(scope)}`;
  private dayKey = (d: string, day: string) => `ies:${d}:stmt:day:${day}`;
  private outbox = (d: string) => `ies:${d}:stmt:outbox`;

  async get(discomId: string, id: string): Promise<StoredStatement | undefined> {
    const [jws, sha256, status, meta] = await this.redis.hmget(this.doc(discomId, id), 'jws', 'sha256', 'status', 'meta');
    if (!jws || !sha256 || !status || !meta) return undefined;
    return { ...(JSON.parse(meta) as Omit<StatementSummary, 'sha256' | 'status'>), sha256, status: status as StatementStatus, jws };
  }

  async summary(discomId: string, id: string): Promise<StatementSummary | undefined> {
    const [sha256, status, meta] = await this.redis.hmget(this.doc(discomId, id), 'sha256', 'status', 'meta');
    if (!sha256 || !status || !meta) return undefined;
    return { ...(JSON.parse(meta) as Omit<StatementSummary, 'sha256' | 'status'>), sha256, status: status as StatementStatus };
  }

  /** The latest statement of the scope, its document rebuilt (and checked against its stored hash). */
  async latest(discomId: string, scope: StatementScope): Promise<{ stored: StoredStatement; built: BuiltStatement } | undefined> {
    const id = await this.redis.get(this.latestKey(discomId, scope));
    if (id === null) return undefined;
    const stored = await this.get(discomId, id);
    if (stored === undefined) throw new SettlementError('IES_ERR_STATEMENT_REVISION_INVALID', `the latest statement of ${discomId} ${scopeKey(scope)} is ${id}, which is not stored`);
    const built = seal(JSON.parse(statementJsonOfJws(stored.jws)) as StatementContent);
    if (built.sha256 !== stored.sha256) throw new SettlementError('IES_ERR_STATEMENT_REVISION_INVALID', `stored statement ${id} does not hash to its recorded sha256 ${stored.sha256}`);
    return { stored, built };
  }

  /** Every statement of the day (all versions, day and DR event scopes), latest version first within a scope. */
  async listDay(discomId: string, day: string): Promise<StatementSummary[]> {
    const ids = await this.redis.smembers(this.dayKey(discomId, day));
    const all = (await Promise.all(ids.map((id) => this.summary(discomId, id)))).filter((s): s is StatementSummary => s !== undefined);
    return all.sort((a, b) => {
      const ka = scopeKey(a.scope);
      const kb = scopeKey(b.scope);
      return ka < kb ? -1 : ka > kb ? 1 : b.version - a.version;
    });
  }

  async history(discomId: string, id: string): Promise<StatusChange[]> {
    return (await this.redis.lrange(this.hist(discomId, id), 0, -1)).map((h) => JSON.parse(h) as StatusChange);
  }

  /**
   * Writes a new or rebuilt statement. `expected` is what the run read: the scope's latest id
   * and, for a DRAFT rebuilt in place, its hash. `supersedes` names the revised statement.
   * False when another run changed the scope in between.
   */
  async save(w: StatementWrite, expected: { latestId: string | null; sha256: string | null }, supersedes?: { id: string; change: StatusChange }): Promise<boolean> {
    const c = w.built.content;
    const d = c.discomId;
    const meta: Omit<StatementSummary, 'sha256' | 'status'> = {
      statementId: c.id, discomId: d, scope: c.scope, day: w.day, version: c.version, revises: c.revises, complete: c.complete, lineCount: c.lines.length, totals: c.totals, updatedAt: w.change.at,
      ...(c.run === undefined ? {} : { run: c.run }),
    };
    const result = await this.redis.eval(
      SAVE, 6,
      this.doc(d, c.id), this.latestKey(d, c.scope), this.dayKey(d, w.day), this.hist(d, c.id), this.doc(d, supersedes?.id ?? c.id), this.hist(d, supersedes?.id ?? c.id),
      expected.latestId ?? '', expected.sha256 ?? '', c.id, w.jws, w.built.sha256, w.record.status, JSON.stringify(meta), JSON.stringify(w.change), supersedes ? JSON.stringify(supersedes.change) : '',
    );
    return result === 1;
  }

  /** Puts back a statement rebuilt from `statement_history`; false when Redis already holds it. */
  async restore(r: RestoredStatement): Promise<boolean> {
    const { jws, sha256, status, ...meta } = r.stored;
    const d = meta.discomId;
    const result = await this.redis.eval(
      RESTORE, 4, this.doc(d, meta.statementId), this.hist(d, meta.statementId), this.dayKey(d, meta.day), this.latestKey(d, meta.scope),
      jws, sha256, status, JSON.stringify(meta), meta.statementId, r.latest ? '1' : '0', ...r.history.map((h) => JSON.stringify(h)),
    );
    return result === 1;
  }

  /** Moves a statement's status and queues the change in the outbox; false when its status or hash is no longer `from`. */
  async transition(discomId: string, id: string, from: { status: StatementStatus; sha256: string }, change: StatusChange): Promise<boolean> {
    const entry: QueuedTransition = { statementId: id, change };
    const result = await this.redis.eval(TRANSITION, 3, this.doc(discomId, id), this.hist(discomId, id), this.outbox(discomId), from.status, from.sha256, change.status, JSON.stringify(change), JSON.stringify(entry));
    return result === 1;
  }

  /** The transitions queued for statements.v1 and ClickHouse, oldest first (at most `count`), with their outbox ids. */
  async queuedTransitions(discomId: string, count = 100): Promise<{ id: string; entry: QueuedTransition }[]> {
    const entries = await this.redis.xrange(this.outbox(discomId), '-', '+', 'COUNT', count);
    return entries.map(([id, fields]) => ({ id, entry: JSON.parse(fields[1] as string) as QueuedTransition }));
  }

  /** Removes relayed transitions from the outbox. */
  async dequeueTransitions(discomId: string, ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.redis.xdel(this.outbox(discomId), ...ids);
  }
}

/** A committed status change waiting in the outbox to be recorded in statements.v1 and ClickHouse. */
export interface QueuedTransition {
  readonly statementId: string;
  readonly change: StatusChange;
}
