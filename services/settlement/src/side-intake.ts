import type { JWK } from 'jose';
import type { Producer } from 'kafkajs';
import { TOPICS, topicName } from '@ies/contracts';
import { IesError } from '@ies/errors';
import { ACKS_ALL, type AvroSerde } from '@ies/kafka';
import type { P2pStore } from './p2p-store.js';
import type { SideMessage } from './side-exchange.js';
import { claimedSide, verifySide } from './side-signature.js';

export interface SideIntakeDeps {
  /** The DISCOMs this node hosts. */
  hosted: readonly string[];
  store: P2pStore;
  producer: Producer;
  serde: AvroSerde;
  /** Settlement keys `receiver` trusts for sides signed by `sender` (trustedSettlementKeys). */
  trustedSideKeys: (receiver: string, sender: string) => Promise<JWK[]>;
  now: () => number;
}

/**
 * An incoming peer side: a peer node delivers a signed side allocation of a trade. Every
 * hosted DISCOM (other than the signer) that holds the trade verifies it against the keys it
 * trusts for the signer, and it goes onto that DISCOM's p2p-sides.v1 for its reconciler.
 */
export async function deliverSide(deps: SideIntakeDeps, jws: string): Promise<{ tradeId: string; deliveredTo: string[] }> {
  const claimed = claimedSide(jws);
  const accepted: string[] = [];
  for (const receiver of deps.hosted) {
    if (receiver === claimed.discomId) continue;
    const record = await deps.store.getTrade(receiver, claimed.tradeId);
    if (!record) continue;
    const allocation = await verifySide(jws, await deps.trustedSideKeys(receiver, claimed.discomId));
    const party = allocation.side === 'SELLER' ? record.trade.seller : record.trade.buyer;
    if (party.discomId !== allocation.discomId) throw new IesError('IES_ERR_P2P_SIDE_INVALID', `the ${allocation.side} side of ${allocation.tradeId} belongs to ${party.discomId}, not ${allocation.discomId}`);
    const message: SideMessage = { tradeId: allocation.tradeId, fromDiscomId: allocation.discomId, toDiscomId: receiver, side: allocation.side, version: allocation.version, jws, sentAt: deps.now() };
    try {
      await deps.producer.send({ topic: topicName(receiver, TOPICS.p2pSides), acks: ACKS_ALL, messages: [{ key: allocation.tradeId, value: await deps.serde.encode(receiver, TOPICS.p2pSides, message) }] });
    } catch (cause) {
      if (cause instanceof IesError) throw cause;
      throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `Kafka did not take the side for ${receiver}: ${(cause as Error).message}`, { cause, details: { retryAfterSeconds: 5 } });
    }
    accepted.push(receiver);
  }
  if (accepted.length === 0) throw new IesError('IES_ERR_P2P_TRADE_UNKNOWN', `no DISCOM of this node other than ${claimed.discomId} holds trade ${claimed.tradeId}`);
  return { tradeId: claimed.tradeId, deliveredTo: accepted };
}
