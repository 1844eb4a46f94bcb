// The settlement desk's state in Redis (statements with their signed FINAL/DISPUTED history,
// disputes with their signed decisions) rebuilt from the durable records when Redis lost a
// tenant: statements from ClickHouse `statement_history` (one row per history entry, with the
// whole JWS), disputes from disputes.v1 (each transition carries the record and its history
// entry). Like p2p-store-rebuild.ts for trades: a marker key says the tenant's desk state is
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
import { scopeKey, type RestoredStatement, type StatementStore, type StatusChange } from './statement-store.js';

/** Written only by a rebuild; its absence means the tenant's desk state in Redis is not known whole. */
export function deskStoreMarker(discomId: string): string {
  return `ies:${discomId}:desk:store`;
}

/** Every history row of the tenant's statements, in the order they were written. */
export function statementHistoryQuery(discomId: string): string {
  return sql`SELECT statement_id, day, sha256, status, at_ms, jws, change_json FROM statement_history WHERE discom_id = ${discomId} ORDER BY statement_id, at_ms`;
}

export interface HistoryRow { statement_id: string; day: string; sha256: string; status: string; at_ms: string | number; jws: string; change_json: string }

/**
 * The statements a tenant's history rows describe (pure): each statement's document is that of
 * its last entry (a DRAFT rebuilt in place has a new hash), its status the last entry's, its
 * history the entries in order with a repeated (status, hash) kept once (a write retried after
 * a failed commit), and the latest statement of each scope the one of the highest version.
 */
export function statementsFromHistory(discomId: string, rows: readonly HistoryRow[]): RestoredStatement[] {
  const byId = new Map<string, HistoryRow[]>();
  for (const r of rows) byId.set(r.statement_id, [...(byId.get(r.statement_id) ?? []), r]);
  const out: { stored: RestoredStatement['stored']; history: StatusChange[] }[] = [];
  for (const [statementId, list] of byId) {
    const sorted = [...list].sort((a, b) => Number(a.at_ms) - Number(b.at_ms));
    const history: StatusChange[] = [];
    for (const r of sorted) {
      const change = JSON.parse(r.change_json) as StatusChange;
      const last = history.at(-1);
      if (last !== undefined && last.status === change.status && last.sha256 === change.sha256) continue;
      history.push(change);
    }
    const last = sorted.at(-1)!;
    const content = JSON.parse(statementJsonOfJws(last.jws)) as StatementContent;
    const created = history.find((h) => h.sha256 === last.sha256)!;
    out.push({
      stored: {
        statementId, discomId, scope: content.scope, day: last.day, version: content.version, revises: content.revises, complete: content.complete, lineCount: content.lines.length,
        totals: content.totals, updatedAt: created.at, ...(content.run === undefined ? {} : { run: content.run }), sha256: last.sha256, status: history.at(-1)!.status as StatementStatus, jws: last.jws,
      },
      history,
    });
  }
  const top = new Map<string, number>();
  for (const s of out) top.set(scopeKey(s.stored.scope), Math.max(top.get(scopeKey(s.stored.scope)) ?? -1, s.stored.version));
  return out.sort((a, b) => (a.stored.statementId < b.stored.statementId ? -1 : 1)).map((s) => ({ ...s, latest: top.get(scopeKey(s.stored.scope)) === s.stored.version }));
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
    let rows: HistoryRow[];
    try {
      rows = await (await this.deps.ch.query({ query: statementHistoryQuery(discomId), format: 'JSONEachRow' })).json<HistoryRow>();
    } catch (cause) {
      throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `statement history of ${discomId} from ClickHouse failed: ${(cause as Error).message}`, { cause });
    }
    let restored = 0;
    const statements = statementsFromHistory(discomId, rows);
    for (const s of statements) if (await this.deps.statements.restore(s)) restored++;
    const messages: DisputeMessage[] = [];
    await replayTopic({ kafka: this.deps.kafka, admin: this.deps.admin, topic: topicName(discomId, TOPICS.disputes), groupId: `${this.deps.groupPrefix}${discomId}-${randomUUID()}` }, async (r) => {
      messages.push(await this.deps.serde.decode<DisputeMessage>(r.value));
    });
    const disputes = disputesFromTopic(discomId, messages);
    for (const d of disputes) if (await this.deps.disputes.restore(d.record, d.history)) restored++;
    await this.deps.redis.set(deskStoreMarker(discomId), JSON.stringify({ rebuiltAt: Date.now(), statements: statements.length, disputes: disputes.length }));
    const report = { discomId, statements: statements.length, disputes: disputes.length, restored, ms: Date.now() - started };
    this.deps.logger.info(report, 'settlement desk rebuilt from statement_history and disputes.v1');
    return report;
  }
}
