import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateSigningKey, type KeyPair } from '@ies/crypto';
import { IesError } from '@ies/errors';
import { checkResolvedHost, type Resolve } from './checked-lookup.js';
import type { AddressPolicy } from './domain/webhook-address.js';
import { postSigned } from './signed-post.js';

// A real receiver on 127.0.0.1; names are resolved by the test's own resolver, so what
// reaches the server proves the connection went to the address the check saw.
const strict: AddressPolicy = { allowLoopback: false, allowedNetworks: [] };
const local: AddressPolicy = { allowLoopback: true, allowedNetworks: [] };
let server: Server;
let port: number;
let key: KeyPair;
const received: string[] = [];

before(async () => {
  key = await generateSigningKey('EdDSA');
  server = createServer((req, res) => {
    received.push(`${req.method} ${req.headers.host} ${typeof req.headers['x-ies-signature']}`);
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const resolvingTo = (...addresses: string[]): Resolve => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
const post = (url: string, addressPolicy: AddressPolicy, resolve?: Resolve) =>
  postSigned({ url, body: Buffer.from('{}'), jti: 'm-1', tenant: 'BRPL-DL', key, nowMs: Date.now(), timeoutMs: 5_000, addressPolicy, ...(resolve ? { resolve } : {}) });

async function refused(p: Promise<unknown>, why: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof IesError && err.code === 'IES_ERR_WEBHOOK_ADDRESS_FORBIDDEN' && why.test(err.message));
}

test('a name resolving to loopback or a private address is not connected to; the same name is delivered when allowed', async () => {
  const before = received.length;
  await refused(post(`http://hooks.agg.test:${port}/h`, strict, resolvingTo('127.0.0.1')), /resolves to 127\.0\.0\.1 is loopback/);
  await refused(post(`http://hooks.agg.test:${port}/h`, strict, resolvingTo('93.184.216.34', '10.0.0.5')), /10\.0\.0\.5 is private/);
  assert.equal(received.length, before, 'nothing reached the receiver');
  assert.equal(await post(`http://hooks.agg.test:${port}/h`, local, resolvingTo('127.0.0.1')), 204);
  assert.deepEqual(received.slice(before), [`POST hooks.agg.test:${port} string`]);
});

test('DNS rebinding: a name that was public at registration and is internal at delivery is refused at delivery', async () => {
  let answers = 0;
  const rebinding: Resolve = async () => (answers++ === 0 ? [{ address: '93.184.216.34', family: 4 }] : [{ address: '169.254.169.254', family: 4 }]);
  await checkResolvedHost('rebind.agg.test', strict, 1_000, rebinding); // registration: public, accepted
  await refused(post('https://rebind.agg.test/h', strict, rebinding), /169\.254\.169\.254 is link-local/);
  await refused(checkResolvedHost('meta.agg.test', strict, 1_000, resolvingTo('169.254.169.254')), /link-local/);
  await checkResolvedHost('unresolvable.agg.test', strict, 1_000, async () => { throw new Error('ENOTFOUND'); });
});

test('an IP literal is checked without a lookup', async () => {
  const before = received.length;
  await refused(post(`http://127.0.0.1:${port}/h`, strict), /127\.0\.0\.1 is loopback/);
  await refused(post('http://169.254.169.254/latest/meta-data/', strict), /link-local/);
  assert.equal(received.length, before);
  assert.equal(await post(`http://127.0.0.1:${port}/h`, local), 204);
});
