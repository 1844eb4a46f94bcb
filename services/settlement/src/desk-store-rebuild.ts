// The settlement desk's state in Redis (statements with their signed FINAL/DISPUTED history,
// disputes with their signed decisions) rebuilt from the durable records when Redis lost a
// tenant: statements from ClickHouse `statement_history` (one row per history entry, the whole
// JWS in the row that first recorded a content), one statement at a time; disputes from
// disputes.v1 (each transition carries the record and its history entry). Like p2p-store-rebuild.ts for trades: a marker key says the tenant's desk state is
// known whole; without it the state is rebuilt, writing only what Redis does not hold.
import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { sql, type ClickHouseClient } from '@ies/clickhouse';
import { TOPICS, topicName } from '@ies/contracts';
import { IesError } from '@ies/errors';
import { replayTopic, type AvroSerde } from '@ies/kafka';
import type { Logger } from '@ies/observability';
import { MarkerRebuilds, type Redis } from '@ies/redis';
import { statementJsonOfJws, type StatementContent } from '@ies/verify';
import { canTransitionDispute } from './domain/dispute-lifecycle.js';
import type { StatementStatus } from './domain/statement-lifecycle.js';
import type { DisputeChange, DisputeRecord, DisputeStore } from './dispute-store.js';
import type { RestoredStatement, StatementStore, StatusChange } from './statement-store.js';

/** Written only by a rebuild; its absence means the tenant's desk state in Redis is not known whole. */
export function deskStoreMarker(discomId: string): string {
  return `ies:${discomId}:desk:store`;
}

/**
 * The tenant's statements that have history rows, with their scope and version (from the
 * `statements` table, one row per status of a content): small, and enough to know each scope's
 * latest statement before any document is read.
 */
export function statementIndexQuery(discomId: string): string {
  return sql`SELECT statement_id, any(scope_kind) AS scope_kind, any(day) AS day, any(event_id) AS event_id, max(version) AS version FROM statements WHERE discom_id = ${discomId} AND statement_id IN (SELECT statement_id FROM statement_history WHERE discom_id = ${discomId}) GROUP BY statement_id ORDER BY statement_id`;
}

/** One statement's history rows, in the order they were written. */
export function statementHistoryQuery(discomId: string, statementId: string): string {
  return sql`SELECT statement_id, day, sha256, status, at_ms, jws, change_json FROM statement_history WHERE discom_id = ${discomId} AND statement_id = ${statementId} ORDER BY at_ms`;
}

export interface IndexRow { statement_id: string; scope_kind: string; day: string; event_id: string; version: string | number }
export interface HistoryRow { statement_id: string; day: string; sha256: string; status: string; at_ms: string | number; jws: string; change_json: string }

/** The ids of the latest statement of each scope (the highest version), from the index rows (pure). */
export function latestOfScopes(index: readonly IndexRow[]): Set<string> {
  const top = new Map<string, IndexRow>();
  for (const r of index) {
    const scope = r.scope_kind === 'DR_EVENT' ? `dr:${r.event_id}` : `day:${r.day}`;
    const held = top.get(scope);
    if (held === undefined || Number(r.version) > Number(held.version)) top.set(scope, r);
  }
  return new Set([...top.values()].map((r) => r.statement_id));
}

/**
 * A statement from its history rows (pure): its document is the JWS of its last entry's
 * content (a DRAFT rebuilt in place has a new hash), taken from the row that first recorded
 * that content (later statuses carry no JWS); its status is the last entry's; its history the
 * entries in order, a repeated (status, hash) kept once (a write retried after a failed
 * commit). Undefined when no row holds the content's JWS.
 */
export function statementFromHistory(discomId: string, rows: readonly HistoryRow[], latest: boolean): RestoredStatement | undefined {
  const sorted = [...rows].sort((a, b) => Number(a.at_ms) - Number(b.at_ms));
  const last = sorted.at(-1);
  if (last === undefined) return undefined;
  const history: StatusChange[] = [];
  for (const r of sorted) {
    const change = JSON.parse(r.change_json) as StatusChange;
    const prior = history.at(-1);
    if (prior !== undefined && prior.status === change.status && prior.sha256 === change.sha256) continue;
    history.push(change);
  }
  const jws = sorted.find((r) => r.sha256 === last.sha256 && r.jws !== '')?.jws;
  if (jws === undefined) return undefined;
  const content = JSON.parse(statementJsonOfJws(jws)) as StatementContent;
  const created = history.find((h) => h.sha256 === last.sha256)!;
  return {
    stored: {
      statementId: last.statement_id, discomId, scope: content.scope, day: last.day, version: content.version, revises: content.revises, complete: content.complete, lineCount: content.lines.length,
      totals: content.totals, updatedAt: created.at, ...(content.run === undefined ? {} : { run: content.run }), sha256: last.sha256, status: history.at(-1)!.status as StatementStatus, jws,
    },
    history,
    latest,
  };
}

/** disputes.v1 as encoded, the part a rebuild reads (schemas-avro/dispute.v1.avsc). */
export interface DisputeMessage { disputeId: string; discomId: string; status: string; stateJson?: string | null }

/**
 * The disputes a tenant's disputes.v1 records describe (pure), in topic order: each dispute's
 * transitions from RAISED along moves the lifecycle allows, the first record of a status kept
 * (a transition published again by a retried write), the record as of the last one.
 */
export function disputesFromTopic(discomId: string, messages: readonly DisputeMessage[]): { record: DisputeRecord; history: DisputeChange[] }[] {
  const byId = new Map<string, { record: DisputeRecord; history: DisputeChange[] }>();
  for (const m of messages) {
    if (m.discomId !== discomId || typeof m.stateJson !== 'string') continue;
    const { record, change } = JSON.parse(m.stateJson) as { record: DisputeRecord; change: DisputeChange };
    const held = byId.get(m.disputeId);
    if (held === undefined) {
      if (change.status === 'RAISED' && record.disputeId === m.disputeId) byId.set(m.disputeId, { record, history: [change] });
      continue;
    }
    if (held.history.some((h) => h.status === change.status) || !canTransitionDispute(held.record.status, change.status)) continue;
    byId.set(m.disputeId, { record, history: [...held.history, change] });
  }
  return [...byId.values()];
}

export interface DeskRebuildReport { readonly discomId: string; readonly statements: number; readonly disputes: number; readonly restored: number; readonly ms: number }

export class DeskStoreRebuilder {
  private readonly rebuilds: MarkerRebuilds<DeskRebuildReport>;

  constructor(private readonly deps: { kafka: Kafka; admin: Admin; serde: AvroSerde; redis: Redis; ch: ClickHouseClient; statements: StatementStore; disputes: DisputeStore; logger: Logger; groupPrefix: string }) {
    this.rebuilds = new MarkerRebuilds(deps.redis, deskStoreMarker);
  }


  /** Rebuilds when the tenant's marker is missing; undefined when the state is whole. */
  async ensure(discomId: string): Promise<DeskRebuildReport | undefined> {
    return this.rebuilds.ensure(discomId, () => this.rebuild(discomId));
  }

  async rebuild(discomId: string): Promise<DeskRebuildReport> {
    const started = Date.now();
    const rowsOf = async <T>(query: string, what: string): Promise<T[]> => {
      try {
        return await (await this.deps.ch.query({ query, format: 'JSONEachRow' })).json<T>();
      } catch (cause) {
        throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `${what} of ${discomId} from ClickHouse failed: ${(cause as Error).message}`, { cause });
      }
    };
    // One statement at a time: a tenant's documents can run to hundreds of MB each.
    const index = await rowsOf<IndexRow>(statementIndexQuery(discomId), 'the statement index');
    const latest = latestOfScopes(index);
    let restored = 0;
    let statements = 0;
    for (const { statement_id: id } of index) {
      const s = statementFromHistory(discomId, await rowsOf<HistoryRow>(statementHistoryQuery(discomId, id), `the history of ${id}`), latest.has(id));
      if (s === undefined) {
        this.deps.logger.error({ discomId, statementId: id }, 'statement_history holds no JWS of this statement\'s last content; it is not rebuilt');
        continue;
      }
      statements++;
      if (await this.deps.statements.restore(s)) restored++;
    }
    const messages: DisputeMessage[] = [];
    await replayTopic({ kafka: this.deps.kafka, admin: this.deps.admin, topic: topicName(discomId, TOPICS.disputes), groupId: `${this.deps.groupPrefix}${discomId}-${randomUUID()}` }, async (r) => {
      messages.push(await this.deps.serde.decode<DisputeMessage>(r.value));
    });
    const disputes = disputesFromTopic(discomId, messages);
    for (const d of disputes) if (await this.deps.disputes.restore(d.record, d.history)) restored++;
    await this.deps.redis.set(deskStoreMarker(discomId), JSON.stringify({ rebuiltAt: Date.now(), statements, disputes: disputes.length }));
    const report = { discomId, statements, disputes: disputes.length, restored, ms: Date.now() - started };
    this.deps.logger.info(report, 'settlement desk rebuilt from statement_history and disputes.v1');
    return report;
  }
}
