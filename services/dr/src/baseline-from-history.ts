// Baselines of many meters straight from ClickHouse: each chunk of meters' history is
// baselined as it arrives, from the loader's typed grid (GridDays), so no array is made per
// meter-day and the engine runs while the next chunk is fetched. The result is the one
// computeBaseline gives on loadMeterHistory's answer for the same meters (the integration
// test compares them), meters in the order asked for.
import type { ClickHouseClient } from '@ies/clickhouse';
import { computeBaseline } from './domain/baseline.js';
import type { BaselineInput, BaselineResult, MeterBaseline, MeterHistory } from './domain/baseline-model.js';
import type { PolicyPack } from './domain/policy-pack.js';
import { loadMeterHistoryChunks, type MeterHistoryQuery } from './history.js';

/** What computeBaseline takes, with the meters' days left to the loader. */
export interface HistoryBaselineInput extends Omit<BaselineInput, 'meters'> {
  readonly meters: readonly Omit<MeterHistory, 'days'>[];
}

export interface HistoryBaseline {
  readonly result: BaselineResult;
  /** Milliseconds spent in computeBaseline (the rest of the wall time is loading). */
  readonly engineMs: number;
}

/** computeBaseline(pack, input with each meter's days from `history`), loaded and computed a chunk of meters at a time. */
export async function baselineFromHistory(ch: ClickHouseClient, pack: PolicyPack, input: HistoryBaselineInput, history: Omit<MeterHistoryQuery, 'meterIds'>): Promise<HistoryBaseline> {
  const position = new Map<string, number>();
  input.meters.forEach((m, i) => position.set(m.meterId, i));
  const meters = new Array<MeterBaseline>(input.meters.length);
  let envelope: BaselineResult | undefined;
  let engineMs = 0;
  await loadMeterHistoryChunks(ch, { ...history, meterIds: input.meters.map((m) => m.meterId) }, (chunk) => {
    const t0 = performance.now();
    const at = chunk.meterIds.map((id) => position.get(id)!);
    const result = computeBaseline(pack, { ...input, meters: at.map((i, k) => ({ ...input.meters[i]!, days: chunk.days[k]! })) });
    for (let k = 0; k < at.length; k++) meters[at[k]!] = result.meters[k]!;
    envelope ??= result;
    engineMs += performance.now() - t0;
  });
  if (envelope === undefined) return { result: computeBaseline(pack, { ...input, meters: [] }), engineMs };
  return { result: { ...envelope, meters }, engineMs };
}
