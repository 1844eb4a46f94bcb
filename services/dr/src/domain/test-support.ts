// Helpers for the unit tests of this package (not exported from the package).
/** UTC epoch ms of an IST wall-clock time. */
export function ist(date: string, hhmm: string): number {
  return Date.parse(`${date}T${hhmm}:00+05:30`);
}

/** Interval index (0–95) of an IST wall-clock time. */
export function slot(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return (h * 60 + m) / 15;
}

/** A day whose 96 intervals are all `value`, with some intervals overridden. */
export function day(value: number | null, overrides: Readonly<Record<string, number | null>> = {}): (number | null)[] {
  const reads = new Array<number | null>(96).fill(value);
  for (const [hhmm, v] of Object.entries(overrides)) reads[slot(hhmm)] = v;
  return reads;
}

/** Same value in every interval from `from` (inclusive) to `to` (exclusive). */
export function span(from: string, to: string, value: number | null): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (let i = slot(from); i < slot(to); i++) out[`${String(Math.floor(i / 4)).padStart(2, '0')}:${String((i % 4) * 15).padStart(2, '0')}`] = value;
  return out;
}
