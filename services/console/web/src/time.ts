/** Every instant the console shows is IST (UTC+05:30), the settlement day's zone, and says so. */
const IST = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Kolkata', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

export function istTime(epochMs: number): string {
  const p = Object.fromEntries(IST.formatToParts(new Date(epochMs)).map((x) => [x.type, x.value]));
  return `${p['year']}-${p['month']}-${p['day']} ${p['hour']}:${p['minute']}:${p['second']} IST`;
}

/** A <input type="datetime-local"> value read as IST wall time → UTC epoch ms. */
export function istInputToEpochMs(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m) return undefined;
  const n = (i: number) => Number(m[i] ?? 0);
  return Date.UTC(n(1), n(2) - 1, n(3), n(4), n(5), n(6)) - 330 * 60_000;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-IN')} ${n === 1 ? one : many}`;
}
