import type { CandidateRead } from './candidate.js';
import { BLOCK_MS, decimalOfNumber, formatDecimal, isNegative, multiply, subtract, toInteger, type Decimal } from '@ies/units';
import { channelOf, WH_PER_UNIT, type IesCode } from './ies-codes.js';
import type { PayloadDescriptor, Period } from './meterdata-document.js';
import { refuse, show } from './paths.js';
import type { Cell } from './profile-cells.js';
import type { CheckedProfile } from './profile-rules.js';
import { durationMs, parseOffsetTime, type OffsetTime } from './timestamps.js';

/**
 * The meter a profile's reads belong to: meterRefs[0] (the primary identifier; the others
 * are alternates under other schemes). A feeder or DT meter (AggregatedFeeder) is named
 * there too, so its id is looked up like any meter's.
 */
function meterIdOf(checked: CheckedProfile): string {
  return checked.frame.profile.meterRefs?.[0]?.value ?? '';
}

function valueOf(cell: Cell, where: string): Decimal {
  if (cell.value !== undefined) return decimalOfNumber(cell.value);
  if (cell.openingValue !== undefined && cell.closingValue !== undefined) return subtract(decimalOfNumber(cell.closingValue), decimalOfNumber(cell.openingValue));
  throw refuse('IES_ERR_METERDATA_NOT_INGESTIBLE', cell.path, `${where}: block energy ${show(cell.readingType)} at ${cell.path} is not ingestible: it has no value column (nor openingValue and closingValue), only ${cell.validationStatus === undefined ? 'an occurredAt' : 'a validationStatus'}, so there is no energy to store`, { readingType: cell.readingType });
}

interface PeriodTiming {
  start: OffsetTime;
  durationMs: number;
}

/** Parses each period once per profile: every cell of an interval row shares its period object. */
function timingCache(checked: CheckedProfile): (cell: Cell) => PeriodTiming {
  const cache = new Map<Period, PeriodTiming>();
  return (cell) => {
    // schema.json guarantees intervalPeriod and its formats; checkResolution the duration.
    const period = cell.period ?? checked.frame.profile.intervalPeriod;
    if (period === undefined) throw new Error(`no interval timing at ${cell.path}`);
    let timing = cache.get(period);
    if (timing === undefined) {
      const start = parseOffsetTime(period.start);
      const length = durationMs(period.duration);
      if (start === undefined || length === undefined) throw new Error(`no interval timing at ${cell.path}`);
      timing = { start, durationMs: length };
      cache.set(period, timing);
    }
    return timing;
  };
}

/** Wh per unit of the sent value: multiplier × (1000 for kWh), once per descriptor. */
function factorCache(checked: CheckedProfile): (cell: Cell) => { factor: Decimal; unit: string } {
  const cache = new Map<PayloadDescriptor | IesCode, { factor: Decimal; unit: string }>();
  return (cell) => {
    const key = cell.descriptor ?? cell.code;
    let entry = cache.get(key);
    if (entry === undefined) {
      const unit = cell.descriptor?.unit ?? cell.code.unit;
      const perUnit = WH_PER_UNIT[unit];
      if (perUnit === undefined) throw refuse('IES_ERR_METERDATA_DESCRIPTOR_CONFLICT', cell.path, `${checked.frame.where}: ${show(cell.readingType)} at ${cell.path} is in ${show(unit)}, not an energy unit convertible to Wh`);
      const multiplier = cell.descriptor?.multiplier;
      entry = { factor: multiply(decimalOfNumber(multiplier ?? 1), { coef: perUnit, exp: 0 }), unit: multiplier === undefined || multiplier === 1 ? unit : `${unit} × ${multiplier}` };
      cache.set(key, entry);
    }
    return entry;
  };
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Turns an INTERVAL profile's checked cells into candidate reads: block-incremental active
 * energy only (1.0.1.29.0.255 → IMPORT, 1.0.2.29.0.255 → EXPORT); other quantities are
 * counted in `ignored` under "IntervalProfile:<short label>". Wh = value × multiplier ×
 * 1000 (kWh) exactly, half to even. A PT30M value W becomes two reads, ceil(W/2) then
 * floor(W/2), ESTIMATED (unless already non-VALID) and MDM_COMPUTED.
 */
export function intervalCandidates(checked: CheckedProfile, ignored: Record<string, number>): CandidateRead[] {
  const meterId = meterIdOf(checked);
  const timingOf = timingCache(checked);
  const factorOf = factorCache(checked);
  const out: CandidateRead[] = [];
  for (const cell of checked.cells) {
    const channel = channelOf(cell.code);
    if (channel === undefined) {
      const key = `IntervalProfile:${cell.code.shortLabel}`;
      ignored[key] = (ignored[key] ?? 0) + 1;
      continue;
    }
    const value = valueOf(cell, checked.frame.where);
    const { factor, unit } = factorOf(cell);
    const exact = multiply(value, factor);
    const rawWh = toInteger(exact);
    const safe = rawWh <= MAX_SAFE && rawWh >= -MAX_SAFE;
    const wh = safe ? Number(rawWh) : null;
    const { start, durationMs: length } = timingOf(cell);
    // Without its own period, an interval's id is its ordinal from the profile's start.
    const blockStart = start.ms + (cell.period === undefined && cell.intervalId !== null ? cell.intervalId * length : 0);
    const valueLabel = `${cell.value ?? formatDecimal(value)} ${unit}`;
    const malformed = safe ? undefined : `${valueLabel} = ${rawWh} Wh is beyond the safe integer range`;
    const negative = isNegative(exact);
    const status = cell.validationStatus ?? 'VALID';
    if (length === BLOCK_MS) {
      out.push({ path: cell.path, meterId, blockStart, zone: start.zone, offsetMinutes: start.offsetMinutes, subMillisecond: start.subMillisecond, channel, wh, negative, valueLabel, validationStatus: status, source: cell.source ?? 'METER', malformed });
      continue;
    }
    // SPLIT_EVEN (checkResolution let PT30M through only under it); `|| 0` turns -0 into 0.
    const halfStatus = status === 'VALID' ? 'ESTIMATED' : status;
    const first = wh === null ? null : Math.ceil(wh / 2) || 0;
    const second = wh === null ? null : Math.floor(wh / 2) || 0;
    out.push({ path: cell.path, meterId, blockStart, zone: start.zone, offsetMinutes: start.offsetMinutes, subMillisecond: start.subMillisecond, channel, wh: first, negative, valueLabel: `first half of ${valueLabel} over 30 minutes`, validationStatus: halfStatus, source: 'MDM_COMPUTED', malformed });
    out.push({ path: cell.path, meterId, blockStart: blockStart + BLOCK_MS, zone: start.zone, offsetMinutes: start.offsetMinutes, subMillisecond: start.subMillisecond, channel, wh: second, negative, valueLabel: `second half of ${valueLabel} over 30 minutes`, validationStatus: halfStatus, source: 'MDM_COMPUTED', malformed });
  }
  return out;
}
