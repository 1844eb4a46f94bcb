import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressRefusal, isLoopbackName, parseIp, parseNetwork, type AddressPolicy } from './webhook-address.js';

const strict: AddressPolicy = { allowLoopback: false, allowedNetworks: [] };
const local: AddressPolicy = { allowLoopback: true, allowedNetworks: [] };

test('public unicast addresses may receive webhooks', () => {
  for (const a of ['8.8.8.8', '1.1.1.1', '13.127.0.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '[2001:4860:4860::8888]']) {
    assert.equal(addressRefusal(a, strict), undefined, a);
  }
});

test('metadata, loopback, private, link-local and other non-public addresses may not', () => {
  const cases: [string, RegExp][] = [
    ['169.254.169.254', /link-local/], ['127.0.0.1', /loopback/], ['127.8.9.10', /loopback/], ['10.1.2.3', /private/], ['172.16.0.1', /private/],
    ['172.31.255.255', /private/], ['192.168.1.1', /private/], ['100.64.0.1', /carrier-grade NAT/], ['0.0.0.0', /unspecified/],
    ['224.0.0.1', /multicast/], ['255.255.255.255', /reserved/], ['192.0.2.1', /documentation/], ['198.18.0.1', /benchmarking/],
    ['::1', /loopback/], ['::', /unspecified/], ['fe80::1', /link-local/], ['fd00:ec2::254', /unique local/], ['ff02::1', /multicast/],
    ['::ffff:169.254.169.254', /carries 169.254.169.254 is link-local/], ['::ffff:a9fe:a9fe', /link-local/], ['::ffff:127.0.0.1', /loopback/],
    ['64:ff9b::a9fe:a9fe', /link-local/], ['2002:a9fe:a9fe::1', /link-local/], ['::127.0.0.1', /IPv4-compatible/], ['[::1]', /loopback/],
    ['not-an-ip', /not an IP address/], ['1.2.3', /not an IP address/], ['01.2.3.4', /not an IP address/], ['fe80::1%eth0', /not an IP address/],
  ];
  for (const [a, why] of cases) assert.match(addressRefusal(a, strict) ?? 'allowed', why, a);
});

test('loopback only on a local test node; operator-listed networks are allowed', () => {
  assert.equal(addressRefusal('127.0.0.1', local), undefined);
  assert.equal(addressRefusal('::1', local), undefined);
  assert.match(addressRefusal('169.254.169.254', local) ?? '', /link-local/);
  assert.match(addressRefusal('10.0.0.1', local) ?? '', /private/);
  const intranet: AddressPolicy = { allowLoopback: false, allowedNetworks: [parseNetwork('10.20.0.0/16')!, parseNetwork('fd12:3456::/32')!] };
  assert.equal(addressRefusal('10.20.30.40', intranet), undefined);
  assert.equal(addressRefusal('::ffff:10.20.30.40', intranet), undefined);
  assert.equal(addressRefusal('fd12:3456:1::9', intranet), undefined);
  assert.match(addressRefusal('10.21.0.1', intranet) ?? '', /private/);
  assert.match(addressRefusal('169.254.169.254', intranet) ?? '', /link-local/);
});

test('CIDR and IP parsing', () => {
  assert.equal(parseNetwork('10.20.0.0/16')?.bits, 16);
  assert.equal(parseNetwork('0.0.0.0/0')?.bits, 0);
  for (const bad of ['10.20.0.1/16', '10.20.0.0', '10.20.0.0/33', 'fd00::/129', 'x/8', '10.0.0.0/-1']) assert.equal(parseNetwork(bad), undefined, bad);
  assert.equal(parseIp('1:2:3:4:5:6:7:8')?.value, 0x00010002000300040005000600070008n);
  assert.equal(parseIp('::ffff:1.2.3.4')?.value, 0xffff01020304n);
  for (const bad of ['1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', ':::', '1.2.3.256']) assert.equal(parseIp(bad), undefined, bad);
  assert.ok(isLoopbackName('localhost') && isLoopbackName('api.LOCALHOST.') && !isLoopbackName('localhost.example.in'));
});
