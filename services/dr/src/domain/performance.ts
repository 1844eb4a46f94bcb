import { BLOCK_MS, divideHalfEven, toSafeInteger } from '@ies/units';
import { throwProblems, type Problem } from './codes.js';

/**
 * DR performance for one event and one aggregator, per the DEG demand-flex contract policy
 * (beckn/DEG specification/policies/demand-flex-contractpolicy.rego), in integer units:
 *
 *   per meter and interval   delivered = max(0, baseline − usage)                  Wh
 *   per interval             delivered = Σ meters delivered                        Wh
 *                            eligible  = min(delivered, offered)                   Wh
 *                            shortfall = max(0, offered − delivered)               Wh
 *                            payment   = eligible  × price            / 1000       paise
 *                            penalty   = shortfall × shortfallPenalty / 1000       paise
 *
 * Prices are integer paise per kWh, so Wh × paise/kWh is an exact integer in millipaise
 * (1/1000 paise). Interval amounts stay exact in millipaise; each event total is rounded
 * once from the exact sum with divideHalfEven, and net = payment − penalty of the rounded
 * totals, so the three figures on a statement always agree.
 *
 * A meter-interval without a baseline (status not OK) or without usage delivers nothing and
 * is counted as unverified; the result says whether the measurement is complete.
 */
export interface PerformanceInterval {
  readonly intervalStart: number;
  /** Capacity the aggregator offered for the interval (DEG CAPACITY_OFFERED), Wh. */
  readonly offeredWh: number;
  readonly pricePaisePerKwh: number;
  readonly shortfallPenaltyPaisePerKwh: number;
}

export interface MeterPerformanceInput {
  readonly meterId: string;
  /** Per interval, aligned with the event intervals; null where no baseline was computed. */
  readonly baselineWh: readonly (number | null)[];
  /** Metered usage per interval; null where missing. */
  readonly usageWh: readonly (number | null)[];
}

export type DeliveryStatus = 'OK' | 'NO_BASELINE' | 'NO_USAGE';

export interface MeterDelivery {
  readonly meterId: string;
  readonly deliveredWh: readonly number[];
  readonly status: readonly DeliveryStatus[];
  readonly totalDeliveredWh: number;
}

export interface IntervalPerformance {
  readonly intervalStart: number;
  readonly deliveredWh: number;
  readonly offeredWh: number;
  readonly eligibleWh: number;
  readonly shortfallWh: number;
  readonly pricePaisePerKwh: number;
  readonly shortfallPenaltyPaisePerKwh: number;
  /** eligibleWh × price, exact (1 paise = 1000 millipaise). */
  readonly paymentMillipaise: number;
  readonly penaltyMillipaise: number;
  readonly metersVerified: number;
  readonly metersUnverified: number;
}

export interface PerformanceTotals {
  readonly deliveredWh: number;
  readonly offeredWh: number;
  readonly eligibleWh: number;
  readonly shortfallWh: number;
  readonly paymentMillipaise: number;
  readonly penaltyMillipaise: number;
  readonly paymentPaise: number;
  readonly penaltyPaise: number;
  readonly netPaise: number;
}

export interface EventPerformance {
  readonly intervals: readonly IntervalPerformance[];
  readonly meters: readonly MeterDelivery[];
  readonly totals: PerformanceTotals;
  /** True when every meter had a baseline and usage in every interval. */
  readonly complete: boolean;
}

const isWh = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** delivered = max(0, baseline − usage) per interval; nothing where either is missing. */
export function meterDelivery(meter: MeterPerformanceInput): MeterDelivery {
  const count = meter.baselineWh.length;
  const deliveredWh = new Array<number>(count);
  const status = new Array<DeliveryStatus>(count);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const b = meter.baselineWh[i];
    const u = meter.usageWh[i];
    if (b === null || b === undefined) {
      status[i] = 'NO_BASELINE';
      deliveredWh[i] = 0;
    } else if (u === null || u === undefined) {
      status[i] = 'NO_USAGE';
      deliveredWh[i] = 0;
    } else {
      status[i] = 'OK';
      deliveredWh[i] = b > u ? b - u : 0;
      total += deliveredWh[i]!;
    }
  }
  return { meterId: meter.meterId, deliveredWh, status, totalDeliveredWh: total };
}

function validate(intervals: readonly PerformanceInterval[], meters: readonly MeterPerformanceInput[]): void {
  const problems: Problem[] = [];
  if (intervals.length === 0) problems.push({ path: '$.intervals', message: 'must not be empty' });
  intervals.forEach((iv, i) => {
    const path = `$.intervals[${i}]`;
    if (!Number.isSafeInteger(iv.intervalStart) || iv.intervalStart % BLOCK_MS !== 0) problems.push({ path: `${path}.intervalStart`, message: `${iv.intervalStart} is not on a 15-minute boundary` });
    else if (i > 0 && iv.intervalStart !== intervals[i - 1]!.intervalStart + BLOCK_MS) problems.push({ path: `${path}.intervalStart`, message: 'intervals must be consecutive 15-minute intervals' });
    for (const key of ['offeredWh', 'pricePaisePerKwh', 'shortfallPenaltyPaisePerKwh'] as const) if (!isWh(iv[key])) problems.push({ path: `${path}.${key}`, message: `must be a non-negative integer, got ${JSON.stringify(iv[key])}` });
  });
  meters.forEach((m, k) => {
    for (const key of ['baselineWh', 'usageWh'] as const) {
      const values = m[key];
      if (values.length !== intervals.length) problems.push({ path: `$.meters[${k}].${key}`, message: `meter ${m.meterId} has ${values.length} values for ${intervals.length} intervals` });
      else values.forEach((v, i) => {
        if (v !== null && !isWh(v)) problems.push({ path: `$.meters[${k}].${key}[${i}]`, message: `meter ${m.meterId}: must be a non-negative integer Wh or null, got ${JSON.stringify(v)}` });
      });
    }
  });
  if (problems.length > 0) throwProblems('IES_ERR_DR_INPUT_INVALID', 'performance input is invalid', problems);
}

export function computeEventPerformance(input: { readonly intervals: readonly PerformanceInterval[]; readonly meters: readonly MeterPerformanceInput[] }): EventPerformance {
  const { intervals } = input;
  validate(intervals, input.meters);
  const meters = input.meters.map(meterDelivery);
  let complete = true;
  let payment = 0n;
  let penalty = 0n;
  const totals = { deliveredWh: 0, offeredWh: 0, eligibleWh: 0, shortfallWh: 0 };
  const rows: IntervalPerformance[] = intervals.map((iv, i) => {
    let delivered = 0;
    let verified = 0;
    for (const m of meters) {
      if (m.status[i] === 'OK') {
        delivered += m.deliveredWh[i]!;
        verified++;
      }
    }
    if (!Number.isSafeInteger(delivered)) throwProblems('IES_ERR_DR_INPUT_INVALID', 'performance input is invalid', [{ path: `$.intervals[${i}]`, message: 'delivered energy exceeds the safe integer range' }]);
    if (verified < meters.length) complete = false;
    const eligible = Math.min(delivered, iv.offeredWh);
    const shortfall = Math.max(0, iv.offeredWh - delivered);
    const pay = BigInt(eligible) * BigInt(iv.pricePaisePerKwh);
    const pen = BigInt(shortfall) * BigInt(iv.shortfallPenaltyPaisePerKwh);
    payment += pay;
    penalty += pen;
    totals.deliveredWh += delivered;
    totals.offeredWh += iv.offeredWh;
    totals.eligibleWh += eligible;
    totals.shortfallWh += shortfall;
    return {
      intervalStart: iv.intervalStart,
      deliveredWh: delivered,
      offeredWh: iv.offeredWh,
      eligibleWh: eligible,
      shortfallWh: shortfall,
      pricePaisePerKwh: iv.pricePaisePerKwh,
      shortfallPenaltyPaisePerKwh: iv.shortfallPenaltyPaisePerKwh,
      paymentMillipaise: toSafeInteger(pay, 'payment millipaise'),
      penaltyMillipaise: toSafeInteger(pen, 'penalty millipaise'),
      metersVerified: verified,
      metersUnverified: meters.length - verified,
    };
  });
  const paymentPaise = toSafeInteger(divideHalfEven(payment, 1000n), 'payment paise');
  const penaltyPaise = toSafeInteger(divideHalfEven(penalty, 1000n), 'penalty paise');
  return {
    intervals: rows,
    meters,
    totals: {
      ...totals,
      paymentMillipaise: toSafeInteger(payment, 'payment millipaise'),
      penaltyMillipaise: toSafeInteger(penalty, 'penalty millipaise'),
      paymentPaise,
      penaltyPaise,
      netPaise: paymentPaise - penaltyPaise,
    },
    complete,
  };
}
