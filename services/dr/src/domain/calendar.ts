import type { Problem } from './codes.js';
import { throwProblems } from './codes.js';
import { dayIndexOfDate, dayOfWeek } from '@ies/units';

/**
 * India holiday calendar for baseline day selection. Weekends are a day *type*
 * (SATURDAY, SUNDAY), not holidays; a holiday is a date in the calendar, whatever weekday
 * it falls on, and its day type is HOLIDAY.
 *
 * Built-in data: the central government (DoPT) holiday lists. Offices outside Delhi observe
 * 14 compulsory holidays everywhere (scope `IN`) plus 3 chosen per state by the state's
 * Central Government Employees Welfare Coordination Committee; Delhi/New Delhi's 3 are
 * built in under scope `DL`, other states' come from configuration (`parseHolidayList`).
 * Sources and what could not be verified: services/dr/README.md, "Holiday calendar".
 */
export type DayType = 'WEEKDAY' | 'SATURDAY' | 'SUNDAY' | 'HOLIDAY';
export const DAY_TYPES: readonly DayType[] = ['WEEKDAY', 'SATURDAY', 'SUNDAY', 'HOLIDAY'];

export interface Holiday {
  readonly date: string;
  readonly name: string;
  /** `IN` (all India) or a two-letter ISO 3166-2:IN state code such as `DL`, `MH`. */
  readonly scope: string;
  /** Islamic festivals: DoPT may move the date after the moon is sighted. */
  readonly moonDependent: boolean;
  readonly source: string;
}

export const HOLIDAY_SOURCES: Readonly<Record<string, string>> = {
  'DOPT-2025': 'DoPT Office Memorandum "Holidays to be observed in Central Government Offices during the year 2025", para 2 and Annexure-I (read in reproductions: cgstaffportal.in/2024/07/central-government-gazetted-holidays-in-2025/, sakshipost.com)',
  'DOPT-2026': 'DoPT Office Memorandum of 3 July 2025, "Holidays to be observed in Central Government Offices during the year 2026", para 2 and Annexure-I (read in reproductions: niepvd.nic.in/?p=9775, sakshipost.com)',
  FIXED: 'National holidays with fixed dates (Republic Day, Independence Day, Mahatma Gandhi\'s Birthday) and Christmas Day, compulsory in every DoPT list',
};

const h = (date: string, name: string, source: string, scope = 'IN', moonDependent = false): Holiday => ({ date, name, scope, moonDependent, source });
const moon = (date: string, name: string, source: string): Holiday => h(date, name, source, 'IN', true);

export const INDIA_CENTRAL_HOLIDAYS: readonly Holiday[] = Object.freeze([
  // 2025 — 14 compulsory (scope IN) + Delhi's 3 (scope DL)
  h('2025-01-26', 'Republic Day', 'DOPT-2025'),
  h('2025-02-26', 'Maha Shivaratri', 'DOPT-2025', 'DL'),
  h('2025-03-14', 'Holi', 'DOPT-2025', 'DL'),
  moon('2025-03-31', 'Id-ul-Fitr', 'DOPT-2025'),
  h('2025-04-10', 'Mahavir Jayanti', 'DOPT-2025'),
  h('2025-04-18', 'Good Friday', 'DOPT-2025'),
  h('2025-05-12', 'Buddha Purnima', 'DOPT-2025'),
  moon('2025-06-07', 'Id-ul-Zuha (Bakrid)', 'DOPT-2025'),
  moon('2025-07-06', 'Muharram', 'DOPT-2025'),
  h('2025-08-15', 'Independence Day', 'DOPT-2025'),
  h('2025-08-16', 'Janmashtami', 'DOPT-2025', 'DL'),
  moon('2025-09-05', 'Milad-un-Nabi (Id-e-Milad)', 'DOPT-2025'),
  h('2025-10-02', "Mahatma Gandhi's Birthday", 'DOPT-2025'),
  h('2025-10-02', 'Dussehra', 'DOPT-2025'),
  h('2025-10-20', 'Diwali (Deepavali)', 'DOPT-2025'),
  h('2025-11-05', "Guru Nanak's Birthday", 'DOPT-2025'),
  h('2025-12-25', 'Christmas Day', 'DOPT-2025'),
  // 2026
  h('2026-01-26', 'Republic Day', 'DOPT-2026'),
  h('2026-03-04', 'Holi', 'DOPT-2026', 'DL'),
  moon('2026-03-21', 'Id-ul-Fitr', 'DOPT-2026'),
  h('2026-03-26', 'Ram Navami', 'DOPT-2026', 'DL'),
  h('2026-03-31', 'Mahavir Jayanti', 'DOPT-2026'),
  h('2026-04-03', 'Good Friday', 'DOPT-2026'),
  h('2026-05-01', 'Buddha Purnima', 'DOPT-2026'),
  moon('2026-05-27', 'Id-ul-Zuha (Bakrid)', 'DOPT-2026'),
  moon('2026-06-26', 'Muharram', 'DOPT-2026'),
  h('2026-08-15', 'Independence Day', 'DOPT-2026'),
  moon('2026-08-26', 'Milad-un-Nabi (Id-e-Milad)', 'DOPT-2026'),
  h('2026-09-04', 'Janmashtami', 'DOPT-2026', 'DL'),
  h('2026-10-02', "Mahatma Gandhi's Birthday", 'DOPT-2026'),
  h('2026-10-20', 'Dussehra', 'DOPT-2026'),
  h('2026-11-08', 'Diwali (Deepavali)', 'DOPT-2026'),
  h('2026-11-24', "Guru Nanak's Birthday", 'DOPT-2026'),
  h('2026-12-25', 'Christmas Day', 'DOPT-2026'),
  // 2027 — only fixed dates; the moveable festivals are not published yet (DoPT issues the
  // list around June–July of the year before). Add them with parseHolidayList until then.
  h('2027-01-26', 'Republic Day', 'FIXED'),
  h('2027-08-15', 'Independence Day', 'FIXED'),
  h('2027-10-02', "Mahatma Gandhi's Birthday", 'FIXED'),
  h('2027-12-25', 'Christmas Day', 'FIXED'),
].map((x) => Object.freeze(x)));

export interface HolidayCalendar {
  /** The state whose scoped holidays are included, or null for all-India only. */
  readonly state: string | null;
  holidayNames(date: string): readonly string[] | undefined;
  isHoliday(date: string): boolean;
  /** HOLIDAY for a holiday, else SATURDAY / SUNDAY / WEEKDAY. */
  dayType(date: string): DayType;
  /** The day type ignoring holidays. */
  weekdayType(date: string): Exclude<DayType, 'HOLIDAY'>;
}

const STATE = /^[A-Z]{2}$/;

/**
 * The all-India central list, plus the given state's scoped entries (built-in for `DL`) and
 * any extra holidays from configuration (entries scoped to another state are ignored).
 */
export function indiaHolidayCalendar(options: { state?: string; extraHolidays?: readonly Holiday[] } = {}): HolidayCalendar {
  const state = options.state ?? null;
  if (state !== null && !STATE.test(state)) throw new RangeError(`state "${state}" is not a two-letter ISO 3166-2:IN code (e.g. DL)`);
  const byDate = new Map<string, string[]>();
  for (const holiday of [...INDIA_CENTRAL_HOLIDAYS, ...(options.extraHolidays ?? [])]) {
    if (holiday.scope !== 'IN' && holiday.scope !== state) continue;
    const names = byDate.get(holiday.date) ?? [];
    if (!names.includes(holiday.name)) names.push(holiday.name);
    byDate.set(holiday.date, names);
  }
  const weekdayType = (date: string): Exclude<DayType, 'HOLIDAY'> => {
    const index = dayIndexOfDate(date);
    if (index === undefined) throw new RangeError(`"${date}" is not a YYYY-MM-DD date`);
    const dow = dayOfWeek(index);
    return dow === 6 ? 'SATURDAY' : dow === 0 ? 'SUNDAY' : 'WEEKDAY';
  };
  return Object.freeze({
    state,
    holidayNames: (date: string) => byDate.get(date),
    isHoliday: (date: string) => byDate.has(date),
    dayType: (date: string): DayType => (byDate.has(date) ? 'HOLIDAY' : weekdayType(date)),
    weekdayType,
  });
}

/**
 * Validates a configured holiday list (state-specific days, a DISCOM's local holidays, the
 * next year's festivals): `[{ date, name, scope?, moonDependent?, source? }]`. Every problem
 * is reported with its path; `scope` defaults to `IN`, `source` to `config`.
 */
export function parseHolidayList(json: unknown): Holiday[] {
  const problems: Problem[] = [];
  const out: Holiday[] = [];
  if (!Array.isArray(json)) throwProblems('IES_ERR_DR_INPUT_INVALID', 'holiday list is invalid', [{ path: '$', message: 'must be an array' }]);
  json.forEach((entry: unknown, i) => {
    const path = `$[${i}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push({ path, message: 'must be an object' });
      return;
    }
    const e = entry as Record<string, unknown>;
    for (const key of Object.keys(e)) if (!['date', 'name', 'scope', 'moonDependent', 'source'].includes(key)) problems.push({ path: `${path}.${key}`, message: 'unknown member' });
    const date = e['date'];
    if (typeof date !== 'string' || dayIndexOfDate(date) === undefined) problems.push({ path: `${path}.date`, message: `must be a YYYY-MM-DD date, got ${JSON.stringify(date)}` });
    const name = e['name'];
    if (typeof name !== 'string' || name.trim() === '') problems.push({ path: `${path}.name`, message: 'must be a non-empty string' });
    const scope = e['scope'] ?? 'IN';
    if (typeof scope !== 'string' || (scope !== 'IN' && !STATE.test(scope))) problems.push({ path: `${path}.scope`, message: `must be "IN" or a two-letter state code, got ${JSON.stringify(scope)}` });
    const moonDependent = e['moonDependent'] ?? false;
    if (typeof moonDependent !== 'boolean') problems.push({ path: `${path}.moonDependent`, message: 'must be a boolean' });
    const source = e['source'] ?? 'config';
    if (typeof source !== 'string') problems.push({ path: `${path}.source`, message: 'must be a string' });
    out.push(Object.freeze({ date: date as string, name: name as string, scope: scope as string, moonDependent: moonDependent as boolean, source: source as string }));
  });
  if (problems.length > 0) throwProblems('IES_ERR_DR_INPUT_INVALID', 'holiday list is invalid', problems);
  return out;
}
