// Throughput of the pure baseline engine (no ClickHouse, no Kafka): synthetic meters, each
// with the 10 most recent like days of the event (96 intervals, some night reads missing) plus
// the event day, an 8-interval evening event, for every shipped policy pack. Data are made
// in batches outside the timed section; only computeBaseline is timed. Prints meters/s.
// Run: npx tsc -b services/tsconfig.json && node services/dr/dist/src/bench-baseline-domain.js [meters]
import os from 'node:os';
import { computeBaseline } from './domain/baseline.js';
import { type MeterHistory } from './domain/baseline-model.js';
import type { DayReads } from './domain/baseline-day-reads.js';
import { indiaHolidayCalendar } from './domain/calendar.js';
import { dateOfDayIndex, dayIndexOfDate } from '@ies/units';
import { policyRef } from './domain/policy-pack.js';
import { loadPolicyPacks } from './policies.js';

const METERS = Number(process.argv[2] ?? 100_000);
const BATCH = 10_000;
const LIKE_DAYS = 10;
const EVENT_DAY = '2026-04-08';
const eventStart = Date.parse(`${EVENT_DAY}T18:00:00+05:30`);
const eventEnd = Date.parse(`${EVENT_DAY}T20:00:00+05:30`);
const calendar = indiaHolidayCalendar({ state: 'DL' });

let seed = 42;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};

/** A daily load shape with ~1 % of the night-time reads (00:00–06:00 IST) missing. */
function syntheticDay(level: number): (number | null)[] {
  const reads: (number | null)[] = []; // packed, as JSON.parse makes them
  for (let i = 0; i < 96; i++) reads.push(i < 24 && random() < 0.01 ? null : Math.round(level * (0.6 + 0.4 * Math.sin((i / 96) * Math.PI)) + random() * 40));
  return reads;
}

/** The like days a pack would look at first (weekdays that are not holidays), most recent first. */
function likeDaysFor(skip: number): string[] {
  const out: string[] = [];
  const event = dayIndexOfDate(EVENT_DAY)!;
  for (let k = 1 + skip; out.length < LIKE_DAYS; k++) {
    const date = dateOfDayIndex(event - k);
    if (calendar.dayType(date) === 'WEEKDAY') out.push(date);
  }
  return out;
}

function batch(size: number, offset: number, dates: readonly string[]): MeterHistory[] {
  return Array.from({ length: size }, (_, m) => {
    const level = 100 + Math.floor(random() * 2000);
    const days: Record<string, DayReads> = { [EVENT_DAY]: syntheticDay(level) };
    for (const date of dates) days[date] = syntheticDay(level);
    return { meterId: `meter-${offset + m}`, days };
  });
}

console.log(`DR baseline engine — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
console.log(`${METERS.toLocaleString('en')} meters × (${LIKE_DAYS} like days + event day) × 96 intervals, event 18:00–20:00 IST (8 intervals), batches of ${BATCH.toLocaleString('en')}\n`);

for (const pack of loadPolicyPacks()) {
  const dates = likeDaysFor(pack.method === 'LIKE_DAYS' ? pack.parameters.skipDaysBeforeEvent : 0);
  computeBaseline(pack, { eventStart, eventEnd, calendar, meters: batch(500, 0, dates) }); // warm-up
  // One batch of distinct histories, reused under new meter ids (keeps set-up time down;
  // 10,000 meters' data (~40 MB) is far larger than the CPU caches either way).
  const pool = batch(Math.min(BATCH, METERS), 0, dates);
  let elapsedNs = 0n;
  const statuses: Record<string, number> = {};
  for (let done = 0; done < METERS; done += BATCH) {
    const meters = pool.slice(0, Math.min(BATCH, METERS - done)).map((m, i) => ({ meterId: `meter-${done + i}`, days: m.days }));
    const t0 = process.hrtime.bigint();
    const result = computeBaseline(pack, { eventStart, eventEnd, calendar, meters });
    elapsedNs += process.hrtime.bigint() - t0;
    for (const m of result.meters) statuses[m.status] = (statuses[m.status] ?? 0) + 1;
  }
  const seconds = Number(elapsedNs) / 1e9;
  const perSecond = Math.round(METERS / seconds);
  console.log(`  ${policyRef(pack).padEnd(24)} ${perSecond.toLocaleString('en').padStart(10)} meters/s  ${(seconds * 1000).toFixed(0).padStart(6)} ms  ${JSON.stringify(statuses)}`);
}
