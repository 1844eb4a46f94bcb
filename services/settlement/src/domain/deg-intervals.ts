/**
 * The delivery intervals of a DEG commitment: a TimeSeries of 15-minute-aligned periods,
 * each with one PRICE_PER_KWH (INR, exact to the paisa) and one REQUESTED_QTY (kWh, exact
 * to the Wh), contiguous and non-overlapping, and a new window that has not started.
 */
import { BLOCK_MS, formatInstant, formatScaled, MAX_RATE_PAISE_PER_KWH, MAX_TRADE_INTERVAL_WH, parseDuration, parseInstant, parseScaled } from '@ies/units';
import { isObj, objects, type Collector, type Obj } from './deg-json.js';
import type { TradeIntakeContext } from './trade-intake-context.js';
import type { TradeInterval } from './trade.js';

const PRICE = 'PRICE_PER_KWH';
const QUANTITY = 'REQUESTED_QTY';

export function readIntervals(ts: unknown, path: string, out: Collector): TradeInterval[] | undefined {
  if (!isObj(ts) || !Array.isArray(ts['intervals'])) {
    out.add('IES_ERR_P2P_CONTRACT_INVALID', path, 'commitmentAttributes is not a TimeSeries with intervals');
    return undefined;
  }
  const before = out.problems.length;
  const descriptors = objects(ts['payloadDescriptors']);
  const descriptor = (type: string) => descriptors.find((d) => d['payloadType'] === type);
  const price = descriptor(PRICE);
  const quantity = descriptor(QUANTITY);
  if (price === undefined) out.add('IES_ERR_P2P_CONTRACT_INVALID', `${path}.payloadDescriptors`, `no ${PRICE} descriptor`);
  else if (String(price['currency'] ?? '').toUpperCase() !== 'INR') out.add('IES_ERR_P2P_UNIT_UNSUPPORTED', `${path}.payloadDescriptors`, `${PRICE} currency is ${JSON.stringify(price['currency'] ?? null)}; only INR is accepted`);
  if (quantity === undefined) out.add('IES_ERR_P2P_CONTRACT_INVALID', `${path}.payloadDescriptors`, `no ${QUANTITY} descriptor`);
  else if (String(quantity['units'] ?? '').toUpperCase() !== 'KWH') out.add('IES_ERR_P2P_UNIT_UNSUPPORTED', `${path}.payloadDescriptors`, `${QUANTITY} units are ${JSON.stringify(quantity['units'] ?? null)}; only KWH is accepted`);

  const period = isObj(ts['intervalPeriod']) ? readPeriod(ts['intervalPeriod'], `${path}.intervalPeriod`, out) : undefined;
  const intervals: (TradeInterval & { id: number; path: string })[] = [];
  const ids = new Set<number>();
  (ts['intervals'] as unknown[]).forEach((iv, ii) => {
    const ipath = `${path}.intervals[${ii}]`;
    if (!isObj(iv)) return out.add('IES_ERR_P2P_CONTRACT_INVALID', ipath, 'interval is not an object');
    const id = iv['id'];
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return out.add('IES_ERR_P2P_CONTRACT_INVALID', `${ipath}.id`, `interval id ${JSON.stringify(id)} is not a non-negative integer`);
    if (ids.has(id)) return out.add('IES_ERR_P2P_DUPLICATE', `${ipath}.id`, `interval id ${id} appears twice`);
    ids.add(id);
    const own = isObj(iv['intervalPeriod']) ? readPeriod(iv['intervalPeriod'], `${ipath}.intervalPeriod`, out) : undefined;
    if (own === undefined && period === undefined) {
      // An invalid period has been reported already; only a missing one is news here.
      if (!isObj(iv['intervalPeriod']) && !isObj(ts['intervalPeriod'])) out.add('IES_ERR_P2P_CONTRACT_INVALID', ipath, 'no intervalPeriod on the interval or the series');
      return;
    }
    // OpenADR-style series: interval n starts n durations after the series start.
    const startMs = own?.startMs ?? period!.startMs + id * period!.durationMs;
    const durationMs = own?.durationMs ?? period!.durationMs;
    const pricePaise = readValue(iv, PRICE, 2, MAX_RATE_PAISE_PER_KWH, ipath, 'INR/kWh', 'paisa/kWh', out);
    const quantityWh = readValue(iv, QUANTITY, 3, MAX_TRADE_INTERVAL_WH, ipath, 'kWh', 'Wh', out);
    if (pricePaise === undefined || quantityWh === undefined) return;
    intervals.push({ id, path: ipath, startMs, endMs: startMs + durationMs, quantityWh, pricePaisePerKwh: pricePaise });
  });
  if (out.problems.length > before) return undefined;
  if (intervals.length === 0) {
    out.add('IES_ERR_P2P_CONTRACT_INVALID', `${path}.intervals`, 'commitment has no intervals');
    return undefined;
  }
  intervals.sort((a, b) => a.startMs - b.startMs);
  for (let i = 1; i < intervals.length; i++) {
    const prev = intervals[i - 1]!;
    const cur = intervals[i]!;
    if (cur.startMs > prev.endMs) out.add('IES_ERR_P2P_INTERVAL_GAP', cur.path, `interval ${cur.id} starts at ${formatInstant(cur.startMs)}, ${(cur.startMs - prev.endMs) / 60_000} min after interval ${prev.id} ends at ${formatInstant(prev.endMs)}`);
    else if (cur.startMs < prev.endMs) out.add('IES_ERR_P2P_INTERVAL_OVERLAP', cur.path, `interval ${cur.id} starts at ${formatInstant(cur.startMs)}, before interval ${prev.id} ends at ${formatInstant(prev.endMs)}`);
  }
  if (out.problems.length > before) return undefined;
  return intervals.map(({ startMs, endMs, quantityWh, pricePaisePerKwh }) => ({ startMs, endMs, quantityWh, pricePaisePerKwh }));
}

function readPeriod(p: Obj, path: string, out: Collector): { startMs: number; durationMs: number } | undefined {
  const startText = p['start'];
  const durationText = p['duration'];
  const startMs = typeof startText === 'string' ? parseInstant(startText) : undefined;
  const durationMs = typeof durationText === 'string' ? parseDuration(durationText) : undefined;
  if (startMs === undefined) out.add('IES_ERR_P2P_INTERVAL_MISALIGNED', `${path}.start`, `start ${JSON.stringify(startText)} is not an RFC 3339 instant with an offset`);
  else if (startMs % BLOCK_MS !== 0) out.add('IES_ERR_P2P_INTERVAL_MISALIGNED', `${path}.start`, `start ${formatInstant(startMs)} is not on a 15-minute boundary`);
  if (durationMs === undefined) out.add('IES_ERR_P2P_INTERVAL_MISALIGNED', `${path}.duration`, `duration ${JSON.stringify(durationText)} is not an ISO 8601 duration of days, hours, minutes or seconds`);
  else if (durationMs <= 0 || durationMs % BLOCK_MS !== 0) out.add('IES_ERR_P2P_INTERVAL_MISALIGNED', `${path}.duration`, `duration ${durationText as string} is not a positive whole number of 15-minute blocks`);
  if (startMs === undefined || durationMs === undefined || startMs % BLOCK_MS !== 0 || durationMs <= 0 || durationMs % BLOCK_MS !== 0) return undefined;
  return { startMs, durationMs };
}

/** A decimal payload in units of 10^-scale, at most `max` of them (money bounds: every total stays exact). */
function readValue(iv: Obj, type: string, scale: number, max: number, path: string, unit: string, smallest: string, out: Collector): number | undefined {
  const payloads = objects(iv['payloads']);
  const index = payloads.findIndex((p) => p['type'] === type);
  const payload = payloads[index];
  if (payload === undefined) {
    out.add('IES_ERR_P2P_CONTRACT_INVALID', `${path}.payloads`, `no ${type} payload`);
    return undefined;
  }
  const values = payload['values'];
  const vpath = `${path}.payloads[${index}].values`;
  if (!Array.isArray(values) || values.length !== 1) {
    out.add('IES_ERR_P2P_CONTRACT_INVALID', vpath, `${type} must carry exactly one value`);
    return undefined;
  }
  const parsed = parseScaled(values[0], scale);
  const shown = JSON.stringify(values[0]);
  if (!parsed.ok) {
    out.add('IES_ERR_P2P_VALUE_INVALID', vpath, parsed.reason === 'TOO_PRECISE' ? `${type} ${shown} ${unit} is finer than 1 ${smallest}` : `${type} ${shown} is not a decimal number`);
    return undefined;
  }
  if (parsed.value < 0n || parsed.value > BigInt(max)) {
    out.add('IES_ERR_P2P_VALUE_INVALID', vpath, `${type} ${shown} ${unit} is ${parsed.value < 0n ? 'negative' : `above the maximum ${formatScaled(BigInt(max), scale)} ${unit}`}`);
    return undefined;
  }
  return Number(parsed.value);
}

export function checkNewWindow(intervals: readonly TradeInterval[], path: string, ctx: TradeIntakeContext, out: Collector): void {
  const first = intervals[0]!;
  const earliest = ctx.now + (ctx.minLeadMs ?? 0);
  if (first.startMs < earliest) {
    const lead = ctx.minLeadMs ? ` plus the ${ctx.minLeadMs / 60_000}-minute lead time` : '';
    out.add('IES_ERR_P2P_WINDOW_PAST', `${path}.intervals`, `delivery starts ${formatInstant(first.startMs)}, before ${formatInstant(ctx.now)}${lead}`);
  }
  if (intervals.every((i) => i.quantityWh === 0)) out.add('IES_ERR_P2P_VALUE_INVALID', `${path}.intervals`, 'commitment contracts no energy in any interval');
}
