import { IesError } from '@ies/errors';
import type { FinalAllocation } from './domain/final-allocation.js';
import { selectPolicy, type PolicyPack } from './domain/policy-pack.js';
import { buildStatement } from './domain/statement.js';
import type { StatementScope } from '@ies/verify';
import { openStatement, refreshDraft, transitionStatement, type StatementRecord, type StatementStatus } from './domain/statement-lifecycle.js';
import type { TradeRecord } from './domain/trade.js';
import { drStatementInputs, type DrSource } from './dr-lines.js';
import { signStatement, type StatementSigningKey } from './statement-signing.js';
import type { StatementSinks } from './statement-sinks.js';
import type { StatementStore } from './statement-store.js';

/** The P2P inputs of a day statement (P2pStore has these two). */
export interface P2pDayInputs {
  /** Trades with an interval starting on the IST day, every state, sorted. */
  tradesForDay(discomId: string, day: string): Promise<readonly TradeRecord[]>;
  /** The latest final allocation of each trade that has one, sorted. */
  finalsForDay(discomId: string, day: string): Promise<readonly FinalAllocation[]>;
}

export interface StatementRunDeps {
  readonly p2p: P2pDayInputs;
  readonly dr: DrSource;
  readonly policies: readonly PolicyPack[];
  readonly store: StatementStore;
  readonly sinks: StatementSinks;
  readonly signer: (discomId: string) => Promise<StatementSigningKey>;
  readonly now: () => number;
  /** Who the history names as the author of computed statuses. */
  readonly actor?: string;
  /** Called after each stage ('built', 'signed', 'published'); tests use it to stop a run midway. */
  readonly stage?: (stage: 'built' | 'signed' | 'published', statementId: string) => Promise<void>;
}

export type RunOutcome = {
  readonly outcome: 'UNCHANGED' | 'CREATED' | 'REBUILT' | 'REVISED';
  readonly statementId: string;
  readonly sha256: string;
  readonly status: StatementStatus;
  readonly supersededId: string | null;
};

/**
 * Builds the statement of one DISCOM and scope from the current inputs and stores it when
 * something changed. Same inputs → `buildStatement` returns the previous statement itself
 * and nothing is written. Otherwise the new content is signed, published (statements.v1),
 * written to ClickHouse and only then committed in Redis (compare-and-set on what this run
 * read): a run that dies before the commit leaves the scope as it was, and its retry
 * computes, signs (Ed25519 is deterministic) and writes the very same bytes.
 */
export async function runStatement(deps: StatementRunDeps, discomId: string, scope: StatementScope): Promise<RunOutcome> {
  const actor = deps.actor ?? 'settlement-worker';
  const previous = await deps.store.latest(discomId, scope);
  const { day, inputs } = await gather(deps, discomId, scope);
  const policy = selectPolicy(deps.policies, discomId, day);
  const built = buildStatement({ ...inputs, discomId, scope, ...(previous ? { previous: previous.built } : {}) }, policy);
  if (previous !== undefined && built === previous.built) {
    return { outcome: 'UNCHANGED', statementId: previous.stored.statementId, sha256: previous.stored.sha256, status: previous.stored.status, supersededId: null };
  }
  await deps.stage?.('built', built.content.id);
  const prevRecord: StatementRecord | undefined = previous && { statementId: previous.stored.statementId, sha256: previous.stored.sha256, status: previous.stored.status };
  const inPlace = prevRecord !== undefined && prevRecord.statementId === built.content.id;
  const record = inPlace ? refreshDraft(prevRecord, built) : openStatement(built);
  const superseded = !inPlace && prevRecord !== undefined ? transitionStatement(prevRecord, 'SUPERSEDED') : undefined;

  const jws = await signStatement(built.bytes, await deps.signer(discomId));
  await deps.stage?.('signed', built.content.id);
  const at = deps.now();
  const change = { status: record.status, sha256: built.sha256, at, by: actor, reason: inPlace ? 'rebuilt from newer data' : null };
  const supersede = superseded && prevRecord ? { id: prevRecord.statementId, change: { status: 'SUPERSEDED' as const, sha256: prevRecord.sha256, at, by: actor, reason: `revised by ${built.content.id}` } } : undefined;
  const event = { content: built.content, sha256: built.sha256, jws, status: record.status, reason: null, at, history: { day, change } };
  await deps.sinks.publish(event);
  await deps.sinks.writeRows(event, built);
  if (supersede && previous) {
    const old = { content: previous.built.content, sha256: previous.stored.sha256, jws: previous.stored.jws, status: 'SUPERSEDED' as const, reason: `revised by ${built.content.id}`, at, history: { day: previous.stored.day, change: supersede.change } };
    await deps.sinks.publish(old);
    await deps.sinks.writeRows(old);
  }
  await deps.stage?.('published', built.content.id);

  const saved = await deps.store.save(
    { built, jws, record, day, change },
    { latestId: prevRecord?.statementId ?? null, sha256: inPlace ? prevRecord.sha256 : null },
    supersede,
  );
  if (!saved) throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `statement ${built.content.id} of ${discomId} changed under this run (a concurrent run or transition); retried`, { details: { retryAfterSeconds: 1 } });
  return { outcome: previous === undefined ? 'CREATED' : inPlace ? 'REBUILT' : 'REVISED', statementId: built.content.id, sha256: built.sha256, status: record.status, supersededId: superseded ? prevRecord!.statementId : null };
}

async function gather(deps: StatementRunDeps, discomId: string, scope: StatementScope) {
  if (scope.kind === 'DAY') {
    const [trades, finals, events] = await Promise.all([deps.p2p.tradesForDay(discomId, scope.day), deps.p2p.finalsForDay(discomId, scope.day), deps.dr.eventsOnDay(discomId, scope.day)]);
    const dr = drStatementInputs(await Promise.all(events.map(async (event) => ({ event, performance: await deps.dr.performance(discomId, event.eventId) }))));
    return { day: scope.day, inputs: { trades, finals, drLines: dr.drLines, pending: dr.pending } };
  }
  const event = await deps.dr.event(discomId, scope.eventId);
  if (event === undefined) throw new IesError('IES_ERR_NOT_FOUND', `no DR event ${scope.eventId} in ${discomId}`);
  const dr = drStatementInputs([{ event, performance: await deps.dr.performance(discomId, event.eventId) }]);
  return { day: event.eventDay, inputs: { drLines: dr.drLines, pending: dr.pending } };
}

