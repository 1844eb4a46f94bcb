import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Producer } from 'kafkajs';
import type { AvroSerde } from '@ies/kafka';
import { SideExchange } from './side-exchange.js';

// Only the cross-node path is exercised here (an HTTP answer given by a stand-in fetch); the
// same-node path (Kafka) and a real peer gateway are in the integration tests.
const exchange = (status: number) =>
  new SideExchange({ producer: {} as Producer, serde: {} as AvroSerde, hosted: ['AAA-DL'], peerUrls: { 'BBB-DL': 'http://peer.example' }, now: () => 0, fetch: (async () => new Response('{"code":"X"}', { status })) as typeof fetch });
const delivery = { tradeId: 't/1', from: 'AAA-DL', to: 'BBB-DL', side: 'SELLER' as const, version: 2, jws: 'h.p.s' };

test('a peer answering 2xx has the side; no peer URL leaves it queued', async () => {
  assert.equal(await exchange(202).deliver(delivery), 'DELIVERED');
  assert.equal(await exchange(202).deliver({ ...delivery, to: 'CCC-DL' }), 'NO_ROUTE');
});

test('5xx and 429 are retriable; a 4xx is the peer\'s verdict on the side and is not', async () => {
  for (const status of [500, 503, 429]) await assert.rejects(exchange(status).deliver(delivery), (e: { code: string; retriable: boolean }) => e.code === 'IES_ERR_DEPENDENCY_UNAVAILABLE' && e.retriable);
  await assert.rejects(exchange(401).deliver(delivery), (e: { code: string; retriable: boolean }) => e.code === 'IES_ERR_P2P_SIDE_UNTRUSTED' && !e.retriable);
  await assert.rejects(exchange(422).deliver(delivery), (e: { code: string; retriable: boolean }) => e.code === 'IES_ERR_P2P_SIDE_INVALID' && !e.retriable);
});
