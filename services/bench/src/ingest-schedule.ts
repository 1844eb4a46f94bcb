/**
 * Which ingest phases run with tile serving on: `rounds` pairs in ABBA order (off,on, on,off,
 * off,on, …), so a drift over the run (a warming JIT, a neighbour's build) weighs on both sides
 * alike instead of always on the later one.
 */
export function servingSchedule(rounds: number): boolean[] {
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`rounds must be a positive integer, not ${rounds}`);
  const out: boolean[] = [];
  for (let r = 0; r < rounds; r += 1) out.push(...(r % 2 === 0 ? [false, true] : [true, false]));
  return out;
}
