/**
 * A trade's reconciliation as a DEG `on_status` (Beckn v2, IES style): the commitment's
 * BecknTimeSeries with PRICE_PER_KWH and REQUESTED_QTY, the two DISCOM allocations and
 * their status, and FINAL_ALLOC per interval, plus the RevenueFlow consideration (seller
 * platform +, buyer platform −, in INR). kWh and INR are written as JSON numbers made from
 * the exact integers (18500 Wh → 18.5), as the DEG examples carry them.
 *
 * Resources, offer, participants and payment settlements are the platforms' part of the
 * contract and are not repeated here.
 */
import type { FinalAllocation } from './final-allocation.js';
import { formatDuration, formatInstant, paiseToInrNumber, whToKwhNumber } from '@ies/units';
import { lineAmount } from '@ies/verify';
import type { NormalisedTrade } from './trade.js';

export interface OnStatusContext {
  readonly networkId: string;
  readonly bapId: string;
  readonly bapUri?: string;
  readonly bppId: string;
  readonly bppUri?: string;
  readonly messageId: string;
  readonly timestamp: string;
}

export interface OnStatusOptions {
  readonly context: OnStatusContext;
  /** Which DISCOM wrote FINAL_ALLOC (the DEG examples: sellerDiscom). */
  readonly finalBy?: 'sellerDiscom' | 'buyerDiscom';
  /** Contract and commitment status code (default ACTIVE). */
  readonly status?: string;
}

const SCHEMA = 'https://schema.nfh.global';
const TIME_SERIES_CONTEXT = `${SCHEMA}/BecknTimeSeries/v1.0/context.jsonld`;
const CONTRACT_CONTEXT = `${SCHEMA}/DEGContract/v2.0/context.jsonld`;
const REVENUE_CONTEXT = `${SCHEMA}/RevenueFlow/v2.0/context.jsonld`;

const sideStatus = (s: FinalAllocation['status']) => (s === 'COMPLETED' ? 'COMPLETED' : 'PENDING');

export function renderOnStatus(trade: NormalisedTrade, final: FinalAllocation, options: OnStatusOptions): Record<string, unknown> {
  const ctx = options.context;
  const status = options.status ?? 'ACTIVE';
  const finalBy = options.finalBy ?? 'sellerDiscom';
  const first = trade.intervals[0]!;
  const duration = first.endMs - first.startMs;
  const uniform = trade.intervals.every((iv) => iv.endMs - iv.startMs === duration);
  const descriptor = (objectType: string, payloadType: string, unit: Record<string, string>, insertedBy: string) => ({ objectType, payloadType, ...unit, insertedBy });
  const kwh = { units: 'KWH' };
  const text = { units: 'STRING' };
  const intervals = trade.intervals.map((iv, i) => {
    const f = final.intervals[i]!;
    return {
      id: i,
      ...(uniform ? {} : { intervalPeriod: { start: formatInstant(iv.startMs), duration: formatDuration(iv.endMs - iv.startMs) } }),
      payloads: [
        { type: 'PRICE_PER_KWH', values: [paiseToInrNumber(iv.pricePaisePerKwh)] },
        { type: 'REQUESTED_QTY', values: [whToKwhNumber(iv.quantityWh)] },
        { type: 'BUYER_DISCOM_ALLOC', values: [whToKwhNumber(f.buyerWh)] },
        { type: 'BUYER_DISCOM_STATUS', values: [sideStatus(final.buyerStatus)] },
        { type: 'SELLER_DISCOM_ALLOC', values: [whToKwhNumber(f.sellerWh)] },
        { type: 'SELLER_DISCOM_STATUS', values: [sideStatus(final.sellerStatus)] },
        { type: 'FINAL_ALLOC', values: [whToKwhNumber(f.finalWh)] },
      ],
    };
  });
  const settled = trade.intervals.map((iv, i) => ({ wh: final.intervals[i]!.finalWh, price: iv.pricePaisePerKwh })).filter((s) => s.wh > 0);
  const valuePaise = settled.reduce((sum, s) => sum + lineAmount(s.wh, s.price), 0);
  const breakdown = settled.map((s) => `${whToKwhNumber(s.wh)} kWh × ₹${paiseToInrNumber(s.price)}`).join(' + ') || 'no energy settled';
  return {
    context: {
      networkId: ctx.networkId,
      version: '2.0.0',
      action: 'on_status',
      bapId: ctx.bapId,
      ...(ctx.bapUri ? { bapUri: ctx.bapUri } : {}),
      bppId: ctx.bppId,
      ...(ctx.bppUri ? { bppUri: ctx.bppUri } : {}),
      transactionId: trade.transactionId,
      messageId: ctx.messageId,
      timestamp: ctx.timestamp,
      schemaContext: [CONTRACT_CONTEXT, REVENUE_CONTEXT, TIME_SERIES_CONTEXT],
    },
    message: {
      contract: {
        id: trade.contractId ?? trade.transactionId,
        status: { code: status },
        commitments: [
          {
            id: trade.commitmentId,
            status: { descriptor: { code: status } },
            commitmentAttributes: {
              '@context': TIME_SERIES_CONTEXT,
              '@type': 'TimeSeries',
              intervalPeriod: { start: formatInstant(first.startMs), duration: formatDuration(duration) },
              payloadDescriptors: [
                descriptor('EVENT_PAYLOAD_DESCRIPTOR', 'PRICE_PER_KWH', { currency: 'INR' }, 'sellerPlatform'),
                descriptor('EVENT_PAYLOAD_DESCRIPTOR', 'REQUESTED_QTY', kwh, 'buyerPlatform'),
                descriptor('REPORT_PAYLOAD_DESCRIPTOR', 'BUYER_DISCOM_ALLOC', kwh, 'buyerDiscom'),
                descriptor('REPORT_PAYLOAD_DESCRIPTOR', 'BUYER_DISCOM_STATUS', text, 'buyerDiscom'),
                descriptor('REPORT_PAYLOAD_DESCRIPTOR', 'SELLER_DISCOM_ALLOC', kwh, 'sellerDiscom'),
                descriptor('REPORT_PAYLOAD_DESCRIPTOR', 'SELLER_DISCOM_STATUS', text, 'sellerDiscom'),
                descriptor('REPORT_PAYLOAD_DESCRIPTOR', 'FINAL_ALLOC', kwh, finalBy),
              ],
              intervals,
            },
          },
        ],
        contractAttributes: {
          '@context': CONTRACT_CONTEXT,
          '@type': 'DEGContract',
          roles: [
            { role: 'buyerPlatform', participantId: trade.buyer.platformId },
            { role: 'sellerPlatform', participantId: trade.seller.platformId },
            { role: 'buyerDiscom', participantId: trade.buyer.discomId },
            { role: 'sellerDiscom', participantId: trade.seller.discomId },
          ],
        },
        consideration: [
          {
            id: 'auto-settlement-flows',
            considerationAttributes: {
              '@context': REVENUE_CONTEXT,
              '@type': 'RevenueFlow',
              revenueFlows: [
                { role: 'sellerPlatform', value: paiseToInrNumber(valuePaise), currency: 'INR', description: `Energy sale proceeds (${breakdown})` },
                { role: 'buyerPlatform', value: -paiseToInrNumber(valuePaise), currency: 'INR', description: `Energy purchase cost (${breakdown})` },
              ],
            },
          },
        ],
      },
    },
  };
}
