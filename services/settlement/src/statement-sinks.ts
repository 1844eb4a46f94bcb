import type { Producer } from 'kafkajs';
import { TableSink, type ClickHouseClient } from '@ies/clickhouse';
import { TOPICS, topicName } from '@ies/contracts';
import { ACKS_ALL, type AvroSerde } from '@ies/kafka';
import type { BuiltStatement, StatementContent } from '@ies/verify';
import type { StatementStatus } from './domain/statement-lifecycle.js';
import { detachedJws } from './statement-signing.js';
import type { StatusChange } from './statement-store.js';

/** One status of one statement content: what statements.v1 and the `statements` table record. */
export interface StatementEvent {
  readonly content: StatementContent;
  readonly sha256: string;
  readonly jws: string;
  readonly status: StatementStatus;
  readonly reason: string | null;
  readonly at: number;
  /** The history entry this status is (with the statement's IST day): kept in `statement_history`. */
  readonly history?: { readonly day: string; readonly change: StatusChange };
}

/** Settlement owns statements and statement_lines (services/settlement/migrations/0010, 0011). */
export const STATEMENTS_TABLE = new TableSink<Record<string, unknown>>('statements');
export const STATEMENT_LINES_TABLE = new TableSink<Record<string, unknown>>('statement_lines', { chunkRows: 50_000 });
/** One row per history entry, with the whole JWS: what a lost statement store is rebuilt from (migration 0012). */
export const STATEMENT_HISTORY_TABLE = new TableSink<Record<string, unknown>>('statement_history');

/**
 * The `statement_history` row of a status with its history entry. The whole JWS goes only
 * into the row that first records a content (`withJws`: the run that issued it, or a DRAFT
 * rebuilt in place); later statuses of the same content (FINAL, DISPUTED, SUPERSEDED) carry
 * '' and a rebuild takes the JWS from that first row by hash.
 */
export function statementHistoryRow(e: StatementEvent & { history: NonNullable<StatementEvent['history']> }, withJws: boolean): Record<string, unknown> {
  return { discom_id: e.content.discomId, statement_id: e.content.id, day: e.history.day, sha256: e.sha256, status: e.status, at_ms: e.history.change.at, jws: withJws ? e.jws : '', change_json: JSON.stringify(e.history.change) };
}

/** `statement_lines` rows of a content, keyed by its sha256: line_no from 1. */
export function statementLineRows(e: StatementEvent): Record<string, unknown>[] {
  const c = e.content;
  return c.lines.map((l, i) => ({
    discom_id: c.discomId, statement_id: c.id, sha256: e.sha256, line_no: i + 1, kind: l.kind, reference: l.reference,
    interval_start: l.intervalStartMs === null ? null : l.intervalStartMs / 1000, interval_end: l.intervalEndMs === null ? null : l.intervalEndMs / 1000,
    meter_id: l.meterId ?? '', payer: l.payer, payee: l.payee, counterparty: l.counterparty,
    quantity_wh: l.quantityWh, rate_paise_per_kwh: l.ratePaisePerKwh, amount_paise: l.amountPaise, note: l.note ?? '', written_at_ms: e.at,
  }));
}

/** The `statements` row of one status of one content. */
export function statementRow(e: StatementEvent): Record<string, unknown> {
  const c = e.content;
  return {
    discom_id: c.discomId, statement_id: c.id, sha256: e.sha256, scope_kind: c.scope.kind,
    day: c.scope.kind === 'DAY' ? c.scope.day : '', event_id: c.scope.kind === 'DR_EVENT' ? c.scope.eventId : '',
    version: c.version, revises_id: c.revises?.id ?? '', revises_sha256: c.revises?.sha256 ?? '', status: e.status, complete: c.complete ? 1 : 0,
    policy_id: c.policy.policyId, policy_version: c.policy.version, line_count: c.lines.length,
    receivable_paise: c.totals.receivablePaise, payable_paise: c.totals.payablePaise, net_paise: c.totals.netPaise, updated_at_ms: e.at,
  };
}

/**
 * Where a statement goes besides Redis: statements.v1 (identity, figures, hash and the
 * detached JWS; the document itself is served by the API, since a day's statement can run
 * to many megabytes) and ClickHouse (`statements`, `statement_lines`). Both writes are
 * idempotent: the same statement written again is the same record and the same rows.
 */
export class StatementSinks {
  constructor(private readonly deps: { producer: Producer; serde: AvroSerde; ch: ClickHouseClient }) {}

  async publish(e: StatementEvent): Promise<void> {
    const c = e.content;
    const value = await this.deps.serde.encode(c.discomId, TOPICS.statements, {
      statementId: c.id, discomId: c.discomId, scopeKind: c.scope.kind,
      day: c.scope.kind === 'DAY' ? c.scope.day : null, eventId: c.scope.kind === 'DR_EVENT' ? c.scope.eventId : null,
      version: c.version, revisesId: c.revises?.id ?? null, revisesSha256: c.revises?.sha256 ?? null, sha256: e.sha256, status: e.status, complete: c.complete,
      policyId: c.policy.policyId, policyVersion: c.policy.version, lineCount: c.lines.length,
      receivablePaise: c.totals.receivablePaise, payablePaise: c.totals.payablePaise, netPaise: c.totals.netPaise,
      jwsDetached: detachedJws(e.jws), reason: e.reason, at: e.at,
    });
    await this.deps.producer.send({ topic: topicName(c.discomId, TOPICS.statements), acks: ACKS_ALL, messages: [{ key: c.id, value }] });
  }

  /** The statement row for this status; with `built` (a new content), its lines and, in its history row, its JWS too. */
  async writeRows(e: StatementEvent, built?: BuiltStatement): Promise<void> {
    if (built !== undefined) await STATEMENT_LINES_TABLE.write(this.deps.ch, statementLineRows(e));
    await STATEMENTS_TABLE.write(this.deps.ch, [statementRow(e)]);
    if (e.history !== undefined) await STATEMENT_HISTORY_TABLE.write(this.deps.ch, [statementHistoryRow({ ...e, history: e.history }, built !== undefined)]);
  }
}
