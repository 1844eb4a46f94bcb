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
 * signed content does not change; the new status is committed in Redis (a compare-and-set
 * that also queues it in the tenant's outbox), then recorded in statements.v1 and ClickHouse
 * (`relayStatementTransitions`) before the answer. Only a move that won its compare-and-set
 * is recorded, so two moves racing (FINAL and DISPUTED) leave one status everywhere, and a
 * rebuild from statement_history agrees with what was answered. The history keeps the signed
 * request that decided it (`signed`). Asking for the status it already has answers as is (a
 * retried request), after relaying what is still queued.
 */
export async function changeStatementStatus(
  deps: { store: StatementStore; sinks: StatementSinks; now: () => number },
  discomId: string, statementId: string, to: RequestableStatus, by: string, reason: string | null,
  signed?: StatusChange['signed'],
): Promise<StatementSummary> {
  const current = await deps.store.get(discomId, statementId);
  if (current === undefined) throw new IesError('IES_ERR_NOT_FOUND', `no statement ${statementId} in ${discomId}`);
  if (current.status === to) {
    await relayStatementTransitions(deps, discomId);
    return current;
  }
  const next = transitionStatement({ statementId, sha256: current.sha256, status: current.status }, to);
  const change: StatusChange = { status: next.status, sha256: current.sha256, at: deps.now(), by, reason, ...(signed === undefined ? {} : { signed }) };
  const moved = await deps.store.transition(discomId, statementId, { status: current.status, sha256: current.sha256 }, change);
  await relayStatementTransitions(deps, discomId);
  if (!moved) {
    throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `statement ${statementId} changed while it was moved to ${to}; retry`, { details: { retryAfterSeconds: 1 } });
  }
  return { ...current, status: next.status };
}

/**
 * Records the tenant's queued status changes in statements.v1 and ClickHouse (`statements`,
 * `statement_history`), oldest first, then removes them from the outbox. Safe to run
 * concurrently (at least once; both records are idempotent per (statement, status, hash)).
 * A change whose statement Redis no longer holds cannot be recorded and is dropped (counted).
 * Kafka or ClickHouse refusing leaves the changes queued: 503 with a retry hint.
 */
export async function relayStatementTransitions(deps: { store: StatementStore; sinks: StatementSinks }, discomId: string): Promise<{ relayed: number; dropped: number }> {
  let relayed = 0;
  let dropped = 0;
  for (;;) {
    const queued = await deps.store.queuedTransitions(discomId);
    if (queued.length === 0) return { relayed, dropped };
    for (const { id, entry } of queued) {
      const stored = await deps.store.get(discomId, entry.statementId);
      if (stored === undefined || stored.sha256 !== entry.change.sha256) {
        dropped++;
      } else {
        const { change } = entry;
        const content = JSON.parse(statementJsonOfJws(stored.jws)) as StatementContent;
        const event = { content, sha256: stored.sha256, jws: stored.jws, status: change.status, reason: change.reason, at: change.at, history: { day: stored.day, change } };
        try {
          await deps.sinks.publish(event);
          await deps.sinks.writeRows(event);
        } catch (cause) {
          throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `statement ${entry.statementId} is ${change.status}, but recording it in statements.v1 and ClickHouse failed: ${(cause as Error).message}; it stays queued and is recorded on the next attempt`, { cause, details: { retryAfterSeconds: 5 } });
        }
        relayed++;
      }
      await deps.store.dequeueTransitions(discomId, [id]);
    }
  }
}
