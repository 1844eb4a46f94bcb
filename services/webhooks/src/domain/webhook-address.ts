/**
 * Which IP addresses a webhook may be delivered to. The node POSTs on behalf of an
 * aggregator, so a URL that reaches the node's own network (cloud metadata at
 * 169.254.169.254, Redis on 127.0.0.1, a DISCOM's private ranges) would turn every
 * delivery into a request from inside. Only public unicast addresses are allowed, plus the
 * networks an operator lists (IES_WEBHOOK_ALLOWED_NETWORKS) and, on a local test node,
 * loopback (IES_WEBHOOK_ALLOW_LOOPBACK_HTTP).
 */
export interface AddressPolicy {
  /** Loopback (127.0.0.0/8, ::1, localhost) allowed: the local stack and demo only. */
  readonly allowLoopback: boolean;
  /** Networks allowed even though they are not public (CIDR, IPv4 or IPv6). */
  readonly allowedNetworks: readonly Network[];
}

export interface Network {
  readonly text: string;
  readonly v6: boolean;
  readonly base: bigint;
  readonly bits: number;
}

interface Range extends Network {
  readonly kind: string;
}

/** IPv4 text → 32-bit integer, undefined unless four decimal octets. */
function parseV4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255 || (p.length > 1 && p.startsWith('0'))) return undefined;
    n = (n << 8n) | BigInt(p);
  }
  return n;
}

/** IPv6 text (with :: and an optional dotted IPv4 tail, no zone) → 128-bit integer. */
function parseV6(text: string): bigint | undefined {
  let hex = text;
  if (text.includes('.')) {
    const lastColon = text.lastIndexOf(':');
    const v4 = parseV4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    hex = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  if (!/^[0-9A-Fa-f:]+$/.test(hex)) return undefined;
  const halves = hex.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  const given = left.length + right.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return undefined;
  let value = 0n;
  for (const g of [...left, ...Array<string>(8 - given).fill('0'), ...right]) {
    if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return undefined;
    value = (value << 16n) | BigInt(`0x${g}`);
  }
  return value;
}

/** An IP literal (IPv6 with or without brackets) as { v6, value }, or undefined. */
export function parseIp(text: string): { v6: boolean; value: bigint } | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const v4 = parseV4(bare);
  if (v4 !== undefined) return { v6: false, value: v4 };
  const v6 = bare.includes(':') ? parseV6(bare) : undefined;
  return v6 === undefined ? undefined : { v6: true, value: v6 };
}

/** "10.20.0.0/16", "fd00::/8" → Network; undefined when not a CIDR with its host bits clear. */
export function parseNetwork(text: string): Network | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const bitsText = text.slice(slash + 1);
  if (ip === undefined || !/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  const width = ip.v6 ? 128 : 32;
  if (bits > width || (ip.value & ((1n << BigInt(width - bits)) - 1n)) !== 0n) return undefined;
  return { text, v6: ip.v6, base: ip.value, bits };
}

function contains(net: Network, ip: { v6: boolean; value: bigint }): boolean {
  if (net.v6 !== ip.v6) return false;
  const shift = BigInt((ip.v6 ? 128 : 32) - net.bits);
  return ip.value >> shift === net.base >> shift;
}

const range = (cidr: string, kind: string): Range => ({ ...parseNetwork(cidr)!, kind });

/** Not public unicast (IANA special-purpose registries), most specific first within a family. */
const NON_PUBLIC: readonly Range[] = [
  range('0.0.0.0/8', 'unspecified ("this network")'), range('10.0.0.0/8', 'private'), range('100.64.0.0/10', 'shared (carrier-grade NAT)'),
  range('127.0.0.0/8', 'loopback'), range('169.254.0.0/16', 'link-local'), range('172.16.0.0/12', 'private'),
  range('192.0.0.0/24', 'IETF protocol assignment'), range('192.0.2.0/24', 'documentation'), range('192.88.99.0/24', '6to4 relay anycast'),
  range('192.168.0.0/16', 'private'), range('198.18.0.0/15', 'benchmarking'), range('198.51.100.0/24', 'documentation'),
  range('203.0.113.0/24', 'documentation'), range('224.0.0.0/4', 'multicast'), range('240.0.0.0/4', 'reserved'),
  range('::/128', 'unspecified'), range('::1/128', 'loopback'), range('::/96', 'IPv4-compatible (deprecated)'),
  range('64:ff9b:1::/48', 'local NAT64'), range('100::/64', 'discard-only'), range('2001::/23', 'IETF protocol assignment'),
  range('2001:db8::/32', 'documentation'), range('fc00::/7', 'unique local (private)'), range('fe80::/10', 'link-local'),
  range('fec0::/10', 'site-local (deprecated)'), range('ff00::/8', 'multicast'),
];

/** IPv6 forms that carry an IPv4 address, which is what the packets finally reach. */
function embeddedV4(ip: { v6: boolean; value: bigint }): { v6: false; value: bigint } | undefined {
  if (!ip.v6) return undefined;
  const v = ip.value;
  if (v >> 32n === 0xffffn) return { v6: false, value: v & 0xffffffffn }; // ::ffff:a.b.c.d (mapped)
  if (v >> 32n === 0x64ff9b0000000000000000n) return { v6: false, value: v & 0xffffffffn }; // 64:ff9b::/96 (NAT64)
  if (v >> 112n === 0x2002n) return { v6: false, value: (v >> 80n) & 0xffffffffn }; // 2002::/16 (6to4)
  return undefined;
}

/**
 * Why `address` may not receive webhooks under `policy` ("169.254.169.254 is link-local"),
 * or undefined when it may. Anything that is not an IP literal is refused.
 */
export function addressRefusal(address: string, policy: AddressPolicy): string | undefined {
  const ip = parseIp(address);
  if (ip === undefined) return `${address} is not an IP address`;
  if (policy.allowedNetworks.some((n) => contains(n, ip))) return undefined;
  const inner = embeddedV4(ip);
  if (inner !== undefined) {
    const why = addressRefusal(formatV4(inner.value), policy);
    return why === undefined ? undefined : `${address} carries ${why}`;
  }
  const hit = NON_PUBLIC.find((r) => contains(r, ip));
  if (hit === undefined) return undefined;
  if (hit.kind === 'loopback' && policy.allowLoopback) return undefined;
  return `${address} is ${hit.kind}`;
}

/** Host names that are loopback by definition (RFC 6761), whatever a resolver says. */
export function isLoopbackName(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}

function formatV4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
}
