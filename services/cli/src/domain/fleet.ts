import { BLOCK_MS, IST_OFFSET_MS, istDayStart as istDayStartOf } from '@ies/units';
import { createRandom, seedOf } from './prng.js';

export type MeterKind = 'RESIDENTIAL' | 'COMMERCIAL' | 'PROSUMER';

export interface SimMeter {
  meterId: string;
  headEndId: string;
  kind: MeterKind;
  sanctionedLoadW: number;
  /** Rooftop PV capacity for prosumers, else 0. */
  pvCapacityW: number;
}

export interface SimRow {
  meterId: string;
  blockStart: number;
  importWh: number;
  exportWh: number;
  status: 'VALID' | 'ESTIMATED';
}

export interface FleetOptions {
  seed: number;
  meters: number;
  headEnds: number;
  /** Share of meters that are prosumers with rooftop PV (default 0.25) and commercial (0.15). */
  prosumerShare?: number;
  commercialShare?: number;
  idPrefix?: string;
}

/** A deterministic fleet: ids, kinds, sanctioned loads and PV sizes from the seed. */
export function buildFleet(o: FleetOptions): SimMeter[] {
  const rnd = createRandom(o.seed);
  const prosumer = o.prosumerShare ?? 0.25;
  const commercial = o.commercialShare ?? 0.15;
  const prefix = o.idPrefix ?? 'SIM';
  return Array.from({ length: o.meters }, (_, i) => {
    const r = rnd();
    const kind: MeterKind = r < prosumer ? 'PROSUMER' : r < prosumer + commercial ? 'COMMERCIAL' : 'RESIDENTIAL';
    const sanctionedLoadW = kind === 'COMMERCIAL' ? 10_000 + Math.floor(rnd() * 8) * 5_000 : 2_000 + Math.floor(rnd() * 5) * 1_000;
    return {
      meterId: `${prefix}-MTR-${String(i + 1).padStart(7, '0')}`,
      headEndId: `${prefix}-HES-${String((i % o.headEnds) + 1).padStart(2, '0')}`,
      kind,
      sanctionedLoadW,
      pvCapacityW: kind === 'PROSUMER' ? 1_000 * (2 + Math.floor(rnd() * 4)) : 0,
    };
  });
}

/** Start of an IST settlement day (00:00 IST) as UTC epoch ms; a day that is not a real YYYY-MM-DD is refused. */
export function istDayStart(day: string): number {
  const start = istDayStartOf(day);
  if (start === undefined) throw new RangeError(`day ${day} is not a YYYY-MM-DD date`);
  return start;
}

/** Fraction of the day's clear-sky PV output in a block (0 at night, bell-shaped around 12:30 IST). */
function pvShape(istHour: number): number {
  if (istHour < 6.25 || istHour > 18.25) return 0;
  const x = (istHour - 12.25) / 3.2;
  return Math.exp(-x * x);
}

/** Typical demand as a fraction of sanctioned load by IST hour. */
function demandShape(kind: MeterKind, istHour: number, weekend: boolean): number {
  if (kind === 'COMMERCIAL') {
    if (weekend) return 0.08;
    return istHour >= 9 && istHour < 19 ? 0.55 : 0.1;
  }
  const morning = Math.exp(-(((istHour - 7.5) / 1.2) ** 2)) * 0.35;
  const evening = Math.exp(-(((istHour - 20) / 1.8) ** 2)) * 0.5;
  const afternoonCooling = Math.exp(-(((istHour - 15) / 2.5) ** 2)) * 0.15;
  return 0.06 + morning + evening + afternoonCooling;
}

export interface DayOptions {
  seed: number;
  /** Share of blocks missing (gaps) and estimated. */
  gapRate?: number;
  estimatedRate?: number;
  /** A DR response: import in blocks starting within [start, end) is scaled by `factor`. */
  response?: { start: number; end: number; factor: number };
}

/**
 * The 96 block reads of one meter for one IST day: demand with noise, PV with a per-day
 * cloudiness, net import/export in integer Wh, occasional gaps (row absent) and
 * estimated blocks.
 */
export function meterDay(meter: SimMeter, dayStart: number, o: DayOptions): SimRow[] {
  const rnd = createRandom(seedOf(meter.meterId, o.seed ^ Math.floor(dayStart / 86_400_000)));
  const weekdayIst = new Date(dayStart + IST_OFFSET_MS).getUTCDay();
  const weekend = weekdayIst === 0 || weekdayIst === 6;
  const cloud = rnd() < 0.3 ? 0.3 + rnd() * 0.3 : 0.85 + rnd() * 0.15;
  const gap = o.gapRate ?? 0.005;
  const est = o.estimatedRate ?? 0.01;
  const rows: SimRow[] = [];
  for (let b = 0; b < 96; b += 1) {
    const hour = b / 4 + 0.125;
    const loadW = meter.sanctionedLoadW * demandShape(meter.kind, hour, weekend) * (0.8 + rnd() * 0.4);
    const pvW = meter.pvCapacityW * pvShape(hour) * cloud * (0.9 + rnd() * 0.2);
    const blockStart = dayStart + b * BLOCK_MS;
    const responding = o.response !== undefined && blockStart >= o.response.start && blockStart < o.response.end;
    const netWh = ((responding ? loadW * o.response!.factor : loadW) - pvW) / 4;
    const skip = rnd() < gap;
    const estimated = rnd() < est;
    if (skip) continue;
    rows.push({
      meterId: meter.meterId,
      blockStart,
      importWh: Math.max(0, Math.round(netWh)),
      exportWh: Math.max(0, Math.round(-netWh)),
      status: estimated ? 'ESTIMATED' : 'VALID',
    });
  }
  return rows;
}

export const CSV_HEADER = 'meter_id,block_start,import_wh,export_wh,status';

/** Compact CSV (the gateway's text/csv format) for rows. */
export function toCsv(rows: readonly SimRow[]): string {
  let out = `${CSV_HEADER}\n`;
  for (const r of rows) out += `${r.meterId},${new Date(r.blockStart).toISOString()},${r.importWh},${r.exportWh},${r.status}\n`;
  return out;
}

export type Fault = 'NEGATIVE' | 'UNKNOWN_METER' | 'DUPLICATE' | 'MISALIGNED';
const FAULTS: readonly Fault[] = ['NEGATIVE', 'UNKNOWN_METER', 'DUPLICATE', 'MISALIGNED'];

/**
 * Head-end faults a real fleet produces now and then, injected at `rate` per row
 * (deterministic for the seed): a negative register delta, a meter the DISCOM never
 * registered, a row sent twice, a timestamp off the 15-minute grid. Each one must come
 * back as a rejected read with its code, never silently dropped.
 */
export function injectFaults(rows: readonly SimRow[], rate: number, seed: number): { rows: SimRow[]; faults: Record<Fault, number> } {
  const rnd = createRandom(seed ^ 0x5eed);
  const faults: Record<Fault, number> = { NEGATIVE: 0, UNKNOWN_METER: 0, DUPLICATE: 0, MISALIGNED: 0 };
  const out: SimRow[] = [];
  for (const row of rows) {
    if (rate <= 0 || rnd() >= rate) {
      out.push(row);
      continue;
    }
    const fault = FAULTS[Math.floor(rnd() * FAULTS.length)] as Fault;
    faults[fault] += 1;
    if (fault === 'NEGATIVE') out.push({ ...row, importWh: -Math.max(1, row.importWh), exportWh: 0 });
    else if (fault === 'UNKNOWN_METER') out.push({ ...row, meterId: `${row.meterId}-UNREGISTERED` });
    else if (fault === 'DUPLICATE') out.push(row, row);
    else out.push({ ...row, blockStart: row.blockStart + 7 * 60_000 });
  }
  return { rows: out, faults };
}
