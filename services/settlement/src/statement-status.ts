import { IesError } from '@ies/errors';
import type { StatementContent } from '@ies/verify';
import { transitionStatement, type StatementStatus } from './domain/statement-lifecycle.js';
import { statementJsonOfJws } from '@ies/verify';
import type { StatementSinks } from './statement-sinks.js';
import type { StatementStore, StatementSummary, StatusChange } from './statement-store.js';

/** Statuses a settlement team may ask for; DRAFT, COMPUTED and SUPERSEDED are the worker's. */
export const REQUESTABLE_STATUSES = ['FINAL', 'DISPUTED'] as const satisfies readonly StatementStatus[];
export type RequestableStatus = (typeof REQUESTABLE_STATUSES)[number];

/**
 * Moves a statement along its lifecycle (statement-lifecycle.ts decides what is allowed):
 * FINAL releases a COMPUTED statement (or rejects a dispute), DISPUTED contests it. The
 * signed content does not change; the new status is recorded in Redis, statements.v1 and
 * ClickHouse, and the history keeps the signed request that decided it (`signed`). Asking for the status it already has answers as is (a retried request).
 */
export async function changeStatementStatus(
  deps: { store: StatementStore; sinks: StatementSinks; now: () => number },
  discomId: string, statementId: string, to: RequestableStatus, by: string, reason: string | null,
  signed?: StatusChange['signed'],
): Promise<StatementSummary> {
  const current = await deps.store.get(discomId, statementId);
  if (current === undefined) throw new IesError('IES_ERR_NOT_FOUND', `no statement ${statementId} in ${discomId}`);
  if (current.status === to) return current;
  const next = transitionStatement({ statementId, sha256: current.sha256, status: current.status }, to);
  const at = deps.now();
  const content = JSON.parse(statementJsonOfJws(current.jws)) as StatementContent;
  const change: StatusChange = { status: next.status, sha256: current.sha256, at, by, reason, ...(signed === undefined ? {} : { signed }) };
  const event = { content, sha256: current.sha256, jws: current.jws, status: next.status, reason, at, history: { day: current.day, change } };
  await deps.sinks.publish(event);
  await deps.sinks.writeRows(event);
  if (!(await deps.store.transition(discomId, statementId, { status: current.status, sha256: current.sha256 }, change))) {
    throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `statement ${statementId} changed while it was moved to ${to}; retry`, { details: { retryAfterSeconds: 1 } });
  }
  return { ...current, status: next.status };
}
