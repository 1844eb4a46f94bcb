/**
 * The simulator's P2P trading platform: Beckn v2 `confirm` messages carrying a DEG contract
 * with one commitment, in the IES participant style (platform and DISCOM roles in
 * contractAttributes.roles, each customer an EnergyCustomer with its meter and utility).
 * Written for this project from the DEG field names; quantities and prices are decimal
 * strings (kWh, INR/kWh) so nothing passes through a float.
 */
import { formatFixedScale } from '@ies/units';

export interface SimTrade {
  transactionId: string;
  commitmentId: string;
  platformId: string;
  seller: { meterId: string; discomId: string };
  buyer: { meterId: string; discomId: string };
  /** UTC epoch ms of the first interval; on the 15-minute grid. */
  startMs: number;
  /** Minutes per interval, a multiple of 15. */
  intervalMinutes: number;
  /** Per interval: energy in Wh and price in paise/kWh (integers, shown as decimals). */
  intervals: readonly { wh: number; paisePerKwh: number }[];
  /** Contract timestamp (when the platform confirmed the trade). */
  confirmedAt: number;
}

export function degConfirm(t: SimTrade): Record<string, unknown> {
  return {
    context: {
      version: '2.0.0',
      action: 'confirm',
      domain: 'beckn.one:deg:p2p-trading:2.0.0',
      transactionId: t.transactionId,
      messageId: `${t.transactionId}:confirm`,
      timestamp: new Date(t.confirmedAt).toISOString(),
      bapId: t.platformId,
      bppId: t.platformId,
    },
    message: {
      contract: {
        id: `${t.transactionId}:contract`,
        contractAttributes: {
          roles: [
            { role: 'buyerPlatform', participantId: t.platformId },
            { role: 'sellerPlatform', participantId: t.platformId },
            { role: 'buyerDiscom', participantId: t.buyer.discomId },
            { role: 'sellerDiscom', participantId: t.seller.discomId },
          ],
        },
        participants: [
          { id: `customer:${t.seller.meterId}`, role: 'seller', participantAttributes: { '@type': 'EnergyCustomer', meterId: t.seller.meterId, utilityId: t.seller.discomId } },
          { id: `customer:${t.buyer.meterId}`, role: 'buyer', participantAttributes: { '@type': 'EnergyCustomer', meterId: t.buyer.meterId, utilityId: t.buyer.discomId } },
        ],
        commitments: [
          {
            id: t.commitmentId,
            resources: [{ id: `pv:${t.seller.meterId}`, resourceAttributes: { '@type': 'EnergyResource', meterId: t.seller.meterId } }],
            commitmentAttributes: {
              '@type': 'TimeSeries',
              intervalPeriod: { start: new Date(t.startMs).toISOString(), duration: `PT${t.intervalMinutes}M` },
              payloadDescriptors: [
                { payloadType: 'PRICE_PER_KWH', currency: 'INR' },
                { payloadType: 'REQUESTED_QTY', units: 'KWH' },
              ],
              intervals: t.intervals.map((iv, id) => ({
                id,
                payloads: [
                  { type: 'PRICE_PER_KWH', values: [formatFixedScale(iv.paisePerKwh, 2)] },
                  { type: 'REQUESTED_QTY', values: [formatFixedScale(iv.wh, 3)] },
                ],
              })),
            },
          },
        ],
      },
    },
  };
}

/** An `update` cancelling the trade's commitment. */
export function degCancel(t: SimTrade, at: number): Record<string, unknown> {
  const confirm = degConfirm(t) as { context: Record<string, unknown>; message: { contract: Record<string, unknown> & { commitments: Record<string, unknown>[] } } };
  return {
    context: { ...confirm.context, action: 'update', messageId: `${t.transactionId}:cancel`, timestamp: new Date(at).toISOString() },
    message: { contract: { ...confirm.message.contract, status: { code: 'CANCELLED' }, commitments: confirm.message.contract.commitments.map((c) => ({ ...c, status: { code: 'CANCELLED' } })) } },
  };
}
