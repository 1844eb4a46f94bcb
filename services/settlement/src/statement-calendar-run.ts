import { IesError } from '@ies/errors';
import { seal, statementJsonOfJws, type BuiltStatement, type StatementContent, type StatementRun } from '@ies/verify';
import { SettlementError } from './domain/codes.js';
import type { FinalAllocation } from './domain/final-allocation.js';
import type { TradeRecord } from './domain/trade.js';
import { policyReference, selectPolicy, type PolicyPack } from './domain/policy-pack.js';
import { resolveRun } from './domain/settlement-calendar.js';
import { buildStatement } from './domain/statement.js';
import { issueRun, transitionStatement, type StatementRecord } from './domain/statement-lifecycle.js';
import { drStatementInputs, type DrEventSummary } from './dr-lines.js';
import { signStatement } from './statement-signing.js';
import type { DisputeRecord, DisputeStore } from './dispute-store.js';
import { transitionDispute } from './domain/dispute-lifecycle.js';
import { isDisputeId } from './domain/dispute.js';
import type { StatementSummary } from './statement-store.js';
import type { RunOutcome, StatementRunDeps } from './statement-run.js';

/** Finals of the trades as stored at or before the cut-off (finals-at-cutoff.ts). */
export type FinalsAt = (discomId: string, tradeIds: readonly string[], cutoffMs: number) => Promise<readonly FinalAllocation[]>;

export interface CalendarRunDeps extends StatementRunDeps {
  readonly finalsAt: FinalsAt;
  /** The day's trades as held at the cut-off (trades-at-cutoff.ts); absent: as the store holds them now. */
  readonly tradesAt?: (discomId: string, day: string, cutoffMs: number) => Promise<readonly TradeRecord[]>;
  /** A run under ESTIMATE: the trades' allocations with missing reads estimated (run-estimates.ts); absent: none (zero-and-pending). */
  readonly estimatesAt?: (discomId: string, day: string, trades: readonly TradeRecord[], finals: readonly FinalAllocation[], cutoffMs: number) => Promise<readonly FinalAllocation[]>;
  /** Upheld disputes become adjustment lines of the next run (absent: no disputes are applied). */
  readonly disputes?: DisputeStore;
}

/** Post-final runs: after the calendar's last run, only to apply upheld disputes. */
export const POST_FINAL_RUN = /^PF([1-9][0-9]{0,2})$/;

export type CalendarRunOutcome = RunOutcome & { readonly run: StatementRun; readonly early: boolean };

/**
 * One calendar run of a DISCOM's IST day (settlement-calendar.ts): `run` names it, or the
 * latest run whose cut-off has passed is taken. A run not issued yet is built from what was
 * known at its cut-off, signed and stored COMPUTED, superseding the day's previous
 * statement. `askedAtMs` is when the run was asked for (a queued job's request): due and
 * early are judged at that instant. A run already issued is re-run from the durable records (its own cut-off, pack
 * and predecessor) and must give its very bytes: UNCHANGED, or IES_ERR_STATEMENT_RUN_NOT_REPRODUCIBLE.
 */
export async function runCalendarStatement(deps: CalendarRunDeps, discomId: string, day: string, requested?: string, opts: { askedAtMs?: number } = {}): Promise<CalendarRunOutcome> {
  const policy = selectPolicy(deps.policies, discomId, day);
  const issued = (await deps.store.listDay(discomId, day)).filter((s) => s.scope.kind === 'DAY' && s.run !== undefined);
  const again = requested === undefined ? undefined : issued.find((s) => s.run!.name === requested);
  if (again !== undefined) return reproduce(deps, discomId, again.statementId);
  if (requested !== undefined && POST_FINAL_RUN.test(requested) && !policy.calendar?.runs.some((r) => r.name === requested)) return postFinalRun(deps, discomId, day, policy, requested, issued);
  // Judged as of the request (a queued run cut early is cut when it was asked for, not when a worker got to it).
  const resolved = resolveRun(policy.calendar, discomId, day, Math.min(opts.askedAtMs ?? Infinity, deps.now()), requested);
  const same = issued.find((s) => s.run!.name === resolved.run.name);
  if (same !== undefined) return reproduce(deps, discomId, same.statementId);
  const order = (name: string) => policy.calendar!.runs.findIndex((r) => r.name === name);
  const later = issued.filter((s) => order(s.run!.name) > resolved.index);
  if (later.length > 0) throw new SettlementError('IES_ERR_STATEMENT_RUN_OUT_OF_ORDER', `run ${resolved.run.name} of ${day} comes before ${later.map((s) => s.statementId).join(', ')}, already issued`);

  const run: StatementRun = { name: resolved.run.name, cutoffMs: resolved.cutoffMs, missingData: resolved.run.missingData };
  return issue(deps, discomId, day, policy, run, resolved.early);
}

/**
 * PF<n> after the calendar's last run was issued: the last run's cut-off and missing-data
 * policy (nothing new is settled), plus the adjustments of the disputes upheld since.
 */
async function postFinalRun(deps: CalendarRunDeps, discomId: string, day: string, policy: PolicyPack, name: string, issued: readonly StatementSummary[]): Promise<CalendarRunOutcome> {
  const last = policy.calendar!.runs[policy.calendar!.runs.length - 1]!;
  const final = issued.find((s) => s.run!.name === last.name);
  if (final === undefined) throw new SettlementError('IES_ERR_STATEMENT_RUN_NO_DISPUTE', `${name} of ${day} is a post-final run: ${discomId}'s last run, ${last.name}, is not issued yet`);
  const n = Number(POST_FINAL_RUN.exec(name)![1]);
  const expected = issued.filter((s) => POST_FINAL_RUN.test(s.run!.name)).length + 1;
  if (n !== expected) throw new SettlementError('IES_ERR_STATEMENT_RUN_NO_DISPUTE', `the next post-final run of ${day} is PF${expected}, not ${name}`);
  const upheld = deps.disputes === undefined ? [] : (await deps.disputes.ofDay(discomId, day)).filter((d) => d.status === 'UPHELD');
  if (upheld.length === 0) throw new SettlementError('IES_ERR_STATEMENT_RUN_NO_DISPUTE', `no dispute of ${discomId} ${day} is upheld and waiting to be applied: after ${last.name}, only a decided dispute reopens a day`);
  return issue(deps, discomId, day, policy, { name, cutoffMs: final.run!.cutoffMs, missingData: final.run!.missingData }, false);
}

async function issue(deps: CalendarRunDeps, discomId: string, day: string, policy: PolicyPack, run: StatementRun, early: boolean): Promise<CalendarRunOutcome> {
  const scope = { kind: 'DAY', day } as const;
  const actor = deps.actor ?? 'settlement-worker';
  const resolved = { early };
  const previous = await deps.store.latest(discomId, scope);
  const version = previous === undefined ? 0 : previous.built.content.version + 1;
  const applying = await disputesFor(deps, discomId, day, version, true);
  const built = await build(deps, discomId, day, policy, run, previous?.built, applying);
  await deps.stage?.('built', built.content.id);
  const record = issueRun(built);
  const prevRecord: StatementRecord | undefined = previous && { statementId: previous.stored.statementId, sha256: previous.stored.sha256, status: previous.stored.status };
  const superseded = prevRecord === undefined ? undefined : transitionStatement(prevRecord, 'SUPERSEDED');
  const jws = await signStatement(built.bytes, await deps.signer(discomId));
  await deps.stage?.('signed', built.content.id);
  const at = deps.now();
  const because = `superseded by run ${run.name} (${built.content.id})`;
  const change = { status: record.status, sha256: built.sha256, at, by: actor, reason: `run ${run.name}, cut-off ${new Date(run.cutoffMs).toISOString()}${resolved.early ? ' (early)' : ''}` };
  const supersede = superseded && prevRecord ? { id: prevRecord.statementId, change: { status: 'SUPERSEDED' as const, sha256: prevRecord.sha256, at, by: actor, reason: because } } : undefined;
  const event = { content: built.content, sha256: built.sha256, jws, status: record.status, reason: `run ${run.name}`, at, history: { day, change } };
  await deps.sinks.publish(event);
  await deps.sinks.writeRows(event, built);
  if (supersede && previous) {
    const old = { content: previous.built.content, sha256: previous.stored.sha256, jws: previous.stored.jws, status: 'SUPERSEDED' as const, reason: because, at, history: { day: previous.stored.day, change: supersede.change } };
    await deps.sinks.publish(old);
    await deps.sinks.writeRows(old);
  }
  await deps.stage?.('published', built.content.id);
  const saved = await deps.store.save({ built, jws, record, day, change }, { latestId: prevRecord?.statementId ?? null, sha256: null }, supersede);
  if (!saved) throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `statements of ${discomId} ${day} changed under run ${run.name} (a concurrent run or transition); retried`, { details: { retryAfterSeconds: 1 } });
  await markApplied(deps, applying.filter((d) => d.status === 'UPHELD'), built.content.id, built.content.version, at, actor);
  return { outcome: previous === undefined ? 'CREATED' : 'REVISED', statementId: built.content.id, sha256: built.sha256, status: record.status, supersededId: prevRecord?.statementId ?? null, run, early: resolved.early };
}

/**
 * Recomputes an issued run statement from the durable records: the same cut-off, the policy
 * pack it cites (by hash) and the statement it revises. The bytes are the issued ones when
 * nothing known at the cut-off has changed.
 */
export async function rebuildRun(deps: CalendarRunDeps, discomId: string, statementId: string): Promise<{ rebuilt: BuiltStatement; issued: BuiltStatement }> {
  const stored = await deps.store.get(discomId, statementId);
  if (stored === undefined) throw new IesError('IES_ERR_STATEMENT_NOT_FOUND', `${discomId} has no statement ${statementId}`);
  const issued = seal(JSON.parse(statementJsonOfJws(stored.jws)) as StatementContent);
  const c = issued.content;
  if (c.run === undefined || c.scope.kind !== 'DAY') throw new SettlementError('IES_ERR_STATEMENT_RUN_UNKNOWN', `${statementId} is not a calendar run's statement`);
  const policy = deps.policies.find((p) => p.discomId === discomId && policyReference(p).sha256 === c.policy.sha256);
  if (policy === undefined) throw new SettlementError('IES_ERR_STATEMENT_RUN_NOT_REPRODUCIBLE', `${statementId} applied policy pack ${c.policy.policyId} v${c.policy.version} (sha256 ${c.policy.sha256}), which is no longer loaded`);
  let previous: BuiltStatement | undefined;
  if (c.revises !== null) {
    const p = await deps.store.get(discomId, c.revises.id);
    if (p === undefined) throw new SettlementError('IES_ERR_STATEMENT_RUN_NOT_REPRODUCIBLE', `${statementId} revises ${c.revises.id}, which is not stored`);
    previous = seal(JSON.parse(statementJsonOfJws(p.jws)) as StatementContent);
  }
  return { rebuilt: await build(deps, discomId, c.scope.day, policy, c.run, previous, await disputesFor(deps, discomId, c.scope.day, c.version, false)), issued };
}

async function reproduce(deps: CalendarRunDeps, discomId: string, statementId: string): Promise<CalendarRunOutcome> {
  await repairApplied(deps, discomId, statementId);
  const { rebuilt, issued } = await rebuildRun(deps, discomId, statementId);
  if (rebuilt.sha256 !== issued.sha256) throw new SettlementError('IES_ERR_STATEMENT_RUN_NOT_REPRODUCIBLE', `re-running ${statementId} gave sha256 ${rebuilt.sha256}, it was issued as ${issued.sha256}`);
  const stored = (await deps.store.summary(discomId, statementId))!;
  return { outcome: 'UNCHANGED', statementId, sha256: stored.sha256, status: stored.status, supersededId: null, run: issued.content.run!, early: false };
}

/**
 * The disputes a run of `version` carries: those applied by an earlier run of the day or by
 * this one (every run restates the whole day, so an applied adjustment stays), and, for a
 * new run, those upheld and not applied yet.
 */
async function disputesFor(deps: CalendarRunDeps, discomId: string, day: string, version: number, fresh: boolean): Promise<DisputeRecord[]> {
  if (deps.disputes === undefined) return [];
  return (await deps.disputes.ofDay(discomId, day)).filter((d) => (d.status === 'APPLIED' && d.appliedIn !== null && d.appliedIn.version <= version) || (fresh && d.status === 'UPHELD'));
}

async function markApplied(deps: CalendarRunDeps, upheld: readonly DisputeRecord[], statementId: string, version: number, at: number, actor: string): Promise<void> {
  for (const d of upheld) {
    const status = transitionDispute(d.disputeId, d.status, 'APPLIED');
    await deps.disputes!.move(d.status, { ...d, status, appliedIn: { statementId, version } }, { status, at, by: actor, byDiscomId: d.discomId, reason: `adjustment in ${statementId}`, statementId });
  }
}

/** A run saved but stopped before marking its disputes APPLIED: its statement's adjustment lines say which. */
async function repairApplied(deps: CalendarRunDeps, discomId: string, statementId: string): Promise<void> {
  if (deps.disputes === undefined) return;
  const stored = await deps.store.get(discomId, statementId);
  if (stored === undefined) return;
  const c = JSON.parse(statementJsonOfJws(stored.jws)) as StatementContent;
  const cited = new Set(c.lines.filter((l) => l.kind === 'ADJUSTMENT' && isDisputeId(l.reference)).map((l) => l.reference));
  if (cited.size === 0 || c.scope.kind !== 'DAY') return;
  const upheld = (await deps.disputes.ofDay(discomId, c.scope.day)).filter((d) => d.status === 'UPHELD' && cited.has(d.disputeId));
  await markApplied(deps, upheld, statementId, c.version, deps.now(), deps.actor ?? 'settlement-worker');
}

async function build(deps: CalendarRunDeps, discomId: string, day: string, policy: PolicyPack, run: StatementRun, previous: BuiltStatement | undefined, disputes: readonly DisputeRecord[]): Promise<BuiltStatement> {
  const [trades, events] = await Promise.all([deps.tradesAt ? deps.tradesAt(discomId, day, run.cutoffMs) : deps.p2p.tradesForDay(discomId, day), deps.dr.eventsOnDay(discomId, day)]);
  const finals = await deps.finalsAt(discomId, trades.map((t) => t.trade.tradeId), run.cutoffMs);
  const estimates = run.missingData === 'ESTIMATE' && deps.estimatesAt ? await deps.estimatesAt(discomId, day, trades, finals, run.cutoffMs) : [];
  // DR lines as measured by the cut-off, when the source can tell (drSourceOf can).
  const measured = (eventId: string) => (deps.dr.performanceAt ? deps.dr.performanceAt(discomId, eventId, run.cutoffMs) : deps.dr.performance(discomId, eventId));
  const dr = drStatementInputs(await Promise.all(eventsAsOf(events, run.cutoffMs).map(async (event) => ({ event, performance: await measured(event.eventId) }))));
  const adjustments = disputes.flatMap((d) => d.adjustments.map((a) => ({ reference: d.disputeId, counterparty: a.counterparty, amountPaise: a.amountPaise, reason: `dispute ${d.disputeId} upheld (${d.document.type} on ${d.statementId})` })));
  return buildStatement({ discomId, scope: { kind: 'DAY', day }, trades, finals, ...(estimates.length > 0 ? { estimates } : {}), drLines: dr.drLines, pending: dr.pending, run, adjustments, ...(previous ? { previous } : {}) }, policy);
}

/**
 * The DR events as the DISCOM held them at the cut-off: an event entered after it is not in the
 * run, and each other one is in the state its history gives at the cut-off (a later
 * cancellation or measurement waits for the next run), so that re-running a run gives its
 * bytes. An event without a history (a source that does not keep one) is taken as it is.
 */
export function eventsAsOf<E extends DrEventSummary>(events: readonly E[], cutoffMs: number): E[] {
  const out: E[] = [];
  for (const e of events) {
    if (e.history === undefined) {
      out.push(e);
      continue;
    }
    const last = e.history.filter((h) => h.at <= cutoffMs).at(-1);
    if (last !== undefined) out.push(last.state === e.state ? e : { ...e, state: last.state });
  }
  return out;
}
