// Shared helpers for this package's tests (a .test.ts file so that lint treats it as test
// code; it declares no tests itself). Hand-written payloads only: the DEG fixtures are read
// from ../shared/fixtures at test time, never copied into the repository.
import { readFileSync } from 'node:fs';
import type { TradeIntakeContext } from './trade-intake-context.js';
import type { MeterSeries, ReadSource } from './allocation.js';
import type { CheckpointRef } from '@ies/verify';
import { validatePolicyPack, type PolicyPack } from './policy-pack.js';
import { BLOCK_MS } from '@ies/units';
import type { NormalisedTrade, TradeInterval, TradeRecord, TradeState } from './trade.js';

export const POLICIES = new URL('../../../policies/', import.meta.url);

export function loadJson(url: URL): unknown {
  return JSON.parse(readFileSync(url, 'utf8'));
}

/** A pack from services/settlement/policies/, validated. */
export function loadPolicy(name: string): PolicyPack {
  const r = validatePolicyPack(loadJson(new URL(name, POLICIES)));
  if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r.problems)}`);
  return r.policy;
}

export const H = 3_600_000;
export const at = (iso: string) => Date.parse(iso);

/** A registry with two Delhi DISCOMs and one UP peer. */
export function intakeContext(overrides: Partial<TradeIntakeContext> = {}): TradeIntakeContext {
  const meters: Record<string, string> = {
    'SM-SELLER-1': 'BRPL-DL', 'SM-SELLER-2': 'BRPL-DL', 'SM-BUYER-1': 'BRPL-DL', 'SM-BUYER-2': 'TPDDL-DL',
    TEST_METER_SELLER_001: 'TEST_DISCOM_SELLER', TEST_METER_BUYER_001: 'TEST_DISCOM_BUYER',
  };
  return {
    now: at('2026-04-25T10:00:00Z'),
    discomId: 'BRPL-DL',
    platform: (id) => ['buyerapp.example.com', 'sellerapp.example.com', 'bap.example.com', 'bpp.example.com'].includes(id),
    meter: (id) => (meters[id] === undefined ? undefined : { discomId: meters[id]! }),
    peerDiscom: (id) => ['TPDDL-DL', 'PVVNL-UP', 'TEST_DISCOM_BUYER', 'TEST_DISCOM_SELLER'].includes(id),
    ...overrides,
  };
}

type Values = { price: unknown; qty: unknown; id?: number; period?: { start: string; duration: string } };

/** A hand-written IES-style confirm: one commitment, hourly intervals from `start`. */
export function confirmPayload(opts: { start?: string; duration?: string; intervals?: Values[]; sellerMeter?: string; buyerMeter?: string; action?: string; currency?: string; units?: string; buyerDiscom?: string; sellerDiscom?: string; commitments?: number } = {}): Record<string, unknown> {
  const intervals = (opts.intervals ?? [{ price: 6, qty: 10 }, { price: '6.5', qty: '8.25' }]).map((v, i) => ({
    id: v.id ?? i,
    ...(v.period ? { intervalPeriod: v.period } : {}),
    payloads: [{ type: 'PRICE_PER_KWH', values: [v.price] }, { type: 'REQUESTED_QTY', values: [v.qty] }],
  }));
  const commitment = (n: number) => ({
    id: `c-${n}`,
    status: { descriptor: { code: 'ACTIVE' } },
    commitmentAttributes: {
      '@type': 'TimeSeries',
      intervalPeriod: { start: opts.start ?? '2026-04-26T04:30:00Z', duration: opts.duration ?? 'PT1H' },
      payloadDescriptors: [
        { objectType: 'EVENT_PAYLOAD_DESCRIPTOR', payloadType: 'PRICE_PER_KWH', currency: opts.currency ?? 'INR' },
        { objectType: 'EVENT_PAYLOAD_DESCRIPTOR', payloadType: 'REQUESTED_QTY', units: opts.units ?? 'KWH' },
      ],
      intervals,
    },
  });
  return {
    context: { version: '2.0.0', action: opts.action ?? 'confirm', bapId: 'buyerapp.example.com', bppId: 'sellerapp.example.com', transactionId: 'tx-1', messageId: 'm-1', timestamp: '2026-04-25T10:00:00Z' },
    message: {
      contract: {
        id: 'contract-1',
        status: { code: 'ACTIVE' },
        commitments: Array.from({ length: opts.commitments ?? 1 }, (_, n) => commitment(n + 1)),
        contractAttributes: {
          '@type': 'DEGContract',
          roles: [
            { role: 'buyerPlatform', participantId: 'buyerapp.example.com' },
            { role: 'sellerPlatform', participantId: 'sellerapp.example.com' },
            { role: 'buyerDiscom', participantId: opts.buyerDiscom ?? 'BRPL-DL' },
            { role: 'sellerDiscom', participantId: opts.sellerDiscom ?? 'BRPL-DL' },
          ],
        },
        participants: [
          { id: 'sellerapp.example.com', participantAttributes: { '@type': 'EnergyCustomer', meterId: opts.sellerMeter ?? 'SM-SELLER-1' } },
          { id: 'buyerapp.example.com', participantAttributes: { '@type': 'EnergyCustomer', meterId: opts.buyerMeter ?? 'SM-BUYER-1' } },
        ],
      },
    },
  };
}

/** A trade built directly (for allocation and statement tests). Intervals: [startIso, hours, Wh, paise/kWh]. */
export function trade(id: string, seller: [string, string], buyer: [string, string], intervals: [string, number, number, number][]): NormalisedTrade {
  const ivs: TradeInterval[] = intervals.map(([start, hours, quantityWh, pricePaisePerKwh]) => ({ startMs: at(start), endMs: at(start) + hours * H, quantityWh, pricePaisePerKwh }));
  return {
    tradeId: id,
    transactionId: id.split('/')[0]!,
    commitmentId: id.split('/')[1] ?? 'c',
    contractId: null,
    seller: { meterId: seller[0], discomId: seller[1], platformId: 'sellerapp.example.com' },
    buyer: { meterId: buyer[0], discomId: buyer[1], platformId: 'buyerapp.example.com' },
    intervals: ivs,
    intent: 'CONFIRM',
    source: { action: 'confirm', messageId: null, timestamp: null },
  };
}

export const record = (t: NormalisedTrade, state: TradeState = 'CONFIRMED'): TradeRecord => ({ trade: t, state, revision: 0 });

export const cp = (origin: string, size: number): CheckpointRef => ({ origin, size, rootHash: `root-${origin}-${size}` });

/**
 * A read source over hand-written series: key "<meter>/<IMPORT|EXPORT>", blocks from `start`,
 * one value per 15-minute block (−1 = missing).
 */
export function reads(start: string, series: Record<string, number[]>, evidence: CheckpointRef[] = [cp('notary.example/BRPL-DL', 100)]): ReadSource {
  return (meterId, channel) => {
    const wh = series[`${meterId}/${channel}`];
    return wh === undefined ? undefined : ({ startMs: at(start), wh, evidence } satisfies MeterSeries);
  };
}

/** n blocks of `wh` each. */
export const blocks = (n: number, wh: number) => Array.from({ length: n }, () => wh);
export const BLOCK = BLOCK_MS;
