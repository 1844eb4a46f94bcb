import type { ErrorCode } from '@ies/errors';
import type { CandidateRead } from './candidate.js';
import { BLOCK_MS, decimalOfNumber, floorDivide, multiply } from '@ies/units';
import { formatOffsetTime } from './timestamps.js';
import type { IngestContext, MeterInfo, NormalisedRead, RejectedRead } from './types.js';

type Verdict = { code: ErrorCode; message: string } | undefined;

function at(c: CandidateRead, ms: number): string {
  return formatOffsetTime(ms, c.zone, c.offsetMinutes);
}

/** The largest plausible Wh in one block: floor(capacity W × 0.25 h × margin), exactly. */
export function maxPlausibleWh(capacityW: number, margin: number): number {
  // Exact decimal arithmetic is costly per meter, and fleets share a handful of sanctioned
  // loads, so results are memoised (profiling showed this on the ingest hot path).
  // Keyed by margin, then capacity: numbers, no key string per call.
  let byCapacity = PLAUSIBLE_CACHE.get(margin);
  if (byCapacity === undefined) {
    if (PLAUSIBLE_CACHE.size >= 16) PLAUSIBLE_CACHE.clear();
    byCapacity = new Map<number, number>();
    PLAUSIBLE_CACHE.set(margin, byCapacity);
  }
  let v = byCapacity.get(capacityW);
  if (v === undefined) {
    v = Number(floorDivide(multiply(decimalOfNumber(capacityW), decimalOfNumber(margin)), 4n));
    if (byCapacity.size >= 10_000) byCapacity.clear();
    byCapacity.set(capacityW, v);
  }
  return v;
}
const PLAUSIBLE_CACHE = new Map<number, Map<number, number>>();

/** What the registry says about one meter, looked up once per batch. */
interface MeterCheck {
  refusal: Verdict;
  /** Accepted reads of this meter: slot (block number × 2 + channel) → candidate index. */
  accepted: Map<number, number>;
  meter: MeterInfo | undefined;
  maxImportWh: number;
  maxExportWh: number;
}

function checkMeter(meterId: string, ctx: IngestContext): MeterCheck {
  const meter = ctx.meters(meterId);
  const accepted = new Map<number, number>();
  if (meter === undefined) return { refusal: { code: 'IES_ERR_VEE_UNKNOWN_METER', message: `meter ${JSON.stringify(meterId)} is not in the registry` }, accepted, meter, maxImportWh: 0, maxExportWh: 0 };
  if (meter.discomId !== ctx.discomId) return { refusal: { code: 'IES_ERR_VEE_FOREIGN_METER', message: `meter ${JSON.stringify(meterId)} belongs to DISCOM ${meter.discomId}, not ${ctx.discomId}` }, accepted, meter, maxImportWh: 0, maxExportWh: 0 };
  if (meter.headEndId !== undefined && ctx.senderId !== undefined && meter.headEndId !== ctx.senderId) {
    return { refusal: { code: 'IES_ERR_VEE_FOREIGN_HEADEND', message: `meter ${JSON.stringify(meterId)} is registered to head-end ${meter.headEndId}, not ${ctx.senderId}` }, accepted, meter, maxImportWh: 0, maxExportWh: 0 };
  }
  const margin = ctx.policy.plausibilityMargin;
  return {
    refusal: undefined,
    accepted,
    meter,
    maxImportWh: maxPlausibleWh(meter.sanctionedLoadW, margin),
    maxExportWh: maxPlausibleWh(meter.derCapacityW ?? meter.sanctionedLoadW, margin),
  };
}

function checkBlock(c: CandidateRead, blockStart: number, wh: number, check: MeterCheck, ctx: IngestContext): Verdict {
  const { nowMs, plausibilityMargin } = ctx.policy;
  if (((blockStart % BLOCK_MS) + BLOCK_MS) % BLOCK_MS !== 0 || c.subMillisecond) {
    return { code: 'IES_ERR_VEE_BLOCK_MISALIGNED', message: `block start ${at(c, blockStart)} is not on a 15-minute boundary` };
  }
  // ClickHouse DateTime (the reads tables) starts at the Unix epoch; the loader could not store it.
  if (blockStart < 0) {
    return { code: 'IES_ERR_VEE_BEFORE_EPOCH', message: `block ${at(c, blockStart)} starts before 1970-01-01T00:00:00Z, the earliest instant the reads tables hold` };
  }
  if (blockStart + BLOCK_MS > nowMs) {
    return { code: 'IES_ERR_VEE_FUTURE_BLOCK', message: `block ${at(c, blockStart)} ends at ${at(c, blockStart + BLOCK_MS)}, after the node clock ${at(c, nowMs)}` };
  }
  if (wh < 0 || c.negative) {
    return { code: 'IES_ERR_VEE_NEGATIVE', message: `${c.channel} energy ${wh} Wh (${c.valueLabel}) in block ${at(c, blockStart)} is negative` };
  }
  const maxWh = c.channel === 'EXPORT' ? check.maxExportWh : check.maxImportWh;
  if (wh > maxWh) {
    const meter = check.meter as MeterInfo;
    const fromDer = c.channel === 'EXPORT' && meter.derCapacityW !== undefined;
    return {
      code: 'IES_ERR_VEE_IMPLAUSIBLE',
      message: `${c.channel} energy ${wh} Wh in block ${at(c, blockStart)} exceeds the plausible ${maxWh} Wh = ${fromDer ? 'DER capacity' : 'sanctioned load'} ${fromDer ? meter.derCapacityW : meter.sanctionedLoadW} W × 0.25 h × margin ${plausibilityMargin}`,
    };
  }
  return undefined;
}

/**
 * The per-read VEE rules, in order: malformed → unknown/foreign meter → alignment →
 * before 1970 → future → negative → plausibility → duplicate. Each failing read is rejected with the
 * first rule it breaks; the rest are accepted. Duplicates are judged among accepted
 * reads: the first (meter, block, channel) stands, later ones are rejected.
 */
export function applyVee(candidates: readonly CandidateRead[], ctx: IngestContext): { reads: NormalisedRead[]; rejected: RejectedRead[] } {
  const reads: NormalisedRead[] = [];
  const rejected: RejectedRead[] = [];
  const meters = new Map<string, MeterCheck>();
  for (let index = 0; index < candidates.length; index++) {
    const c = candidates[index] as CandidateRead;
    let verdict: Verdict;
    if (c.malformed !== undefined || c.meterId === null || c.blockStart === null || c.channel === null || c.wh === null) {
      verdict = { code: 'IES_ERR_VEE_MALFORMED', message: c.malformed ?? `${c.path} is incomplete` };
    } else {
      let check = meters.get(c.meterId);
      if (check === undefined) {
        check = checkMeter(c.meterId, ctx);
        meters.set(c.meterId, check);
      }
      verdict = check.refusal ?? checkBlock(c, c.blockStart, c.wh, check, ctx);
      if (verdict === undefined) {
        // An aligned block start is a multiple of BLOCK_MS, so the slot is an exact integer.
        const slot = (c.blockStart / BLOCK_MS) * 2 + (c.channel === 'EXPORT' ? 1 : 0);
        const first = check.accepted.get(slot);
        if (first === undefined) {
          check.accepted.set(slot, index);
          reads.push({ meterId: c.meterId, blockStart: c.blockStart, channel: c.channel, wh: c.wh, validationStatus: c.validationStatus, source: c.source });
          continue;
        }
        verdict = { code: 'IES_ERR_VEE_DUPLICATE', message: `meter ${JSON.stringify(c.meterId)} already has a ${c.channel} read for block ${at(c, c.blockStart)} in this batch (read ${first}); the first stands` };
      }
    }
    rejected.push({ index, path: c.path, meterId: c.meterId, blockStart: c.blockStart, channel: c.channel, code: verdict.code, message: verdict.message });
  }
  return { reads, rejected };
}
