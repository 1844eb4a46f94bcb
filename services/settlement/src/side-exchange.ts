import type { Producer } from 'kafkajs';
import { TOPICS, topicName } from '@ies/contracts';
import { IesError } from '@ies/errors';
import { ACKS_ALL, type AvroSerde } from '@ies/kafka';
import type { SideDelivery } from './p2p-store.js';

/** p2p-sides.v1 as encoded (schemas-avro/p2p-side.v1.avsc). */
export interface SideMessage {
  readonly tradeId: string;
  readonly fromDiscomId: string;
  readonly toDiscomId: string;
  readonly side: string;
  readonly version: number;
  readonly jws: string;
  readonly sentAt: number;
}

export type DeliveryOutcome = 'DELIVERED' | 'NO_ROUTE';

/**
 * Delivers a signed side allocation to the other DISCOM of the trade: to its
 * p2p-sides.v1 topic when this node hosts it, otherwise to its node's
 * `POST <peerUrl>/v1/p2p/sides` (body: the compact JWS, application/jose), which verifies it
 * and puts it on the same topic there. NO_ROUTE (no peer URL configured) leaves the delivery
 * queued. An unreachable or failing peer (5xx, 429) throws a retriable error and the caller keeps
 * the delivery queued; a 4xx is the peer's verdict on the side and throws a non-retriable one
 * (the reconciler dead-letters it).
 */
export class SideExchange {
  constructor(
    private readonly opts: {
      readonly producer: Producer;
      readonly serde: AvroSerde;
      readonly hosted: readonly string[];
      readonly peerUrls: Readonly<Record<string, string>>;
      readonly now: () => number;
      readonly fetch?: typeof fetch;
    },
  ) {}

  async deliver(d: SideDelivery): Promise<DeliveryOutcome> {
    if (this.opts.hosted.includes(d.to)) {
      const message: SideMessage = { tradeId: d.tradeId, fromDiscomId: d.from, toDiscomId: d.to, side: d.side, version: d.version, jws: d.jws, sentAt: this.opts.now() };
      try {
        await this.opts.producer.send({ topic: topicName(d.to, TOPICS.p2pSides), acks: ACKS_ALL, messages: [{ key: d.tradeId, value: await this.opts.serde.encode(d.to, TOPICS.p2pSides, message) }] });
      } catch (cause) {
        if (cause instanceof IesError) throw cause;
        throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `Kafka did not take the ${d.side} side of ${d.tradeId} for ${d.to}: ${(cause as Error).message}`, { cause });
      }
      return 'DELIVERED';
    }
    const url = this.opts.peerUrls[d.to];
    if (url === undefined) return 'NO_ROUTE';
    let res: Response;
    try {
      res = await (this.opts.fetch ?? fetch)(`${url}/v1/p2p/sides`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: d.jws, signal: AbortSignal.timeout(10_000) });
    } catch (cause) {
      throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `peer node of ${d.to} (${url}) did not answer: ${(cause as Error).message}`, { cause });
    }
    if (res.ok) return 'DELIVERED';
    const detail = await res.text().catch(() => '');
    const message = `peer node of ${d.to} refused the ${d.side} side of ${d.tradeId} v${d.version}: HTTP ${res.status} ${detail.slice(0, 300)}`;
    if (res.status >= 500 || res.status === 429) throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', message);
    // A 4xx is the peer's verdict on this side (untrusted key, malformed): resending will not change it.
    throw new IesError(res.status === 401 || res.status === 403 ? 'IES_ERR_P2P_SIDE_UNTRUSTED' : 'IES_ERR_P2P_SIDE_INVALID', message, { retriable: false });
  }
}
