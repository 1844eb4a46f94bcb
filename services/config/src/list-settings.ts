/** Settings that are comma-separated lists: CIDRs and DISCOM=URL pairs, every bad entry reported. */
/** `10.20.0.0/16,fd00:1::/48` → the CIDRs (the webhooks service parses them exactly at start-up). */
export function cidrs(name: string, text: string, problems: string[]): string[] {
  const out = text.split(',').map((e) => e.trim()).filter(Boolean);
  for (const c of out) {
    if (!/^(?:\d{1,3}(?:\.\d{1,3}){3}\/\d{1,2}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\/\d{1,3})$/.test(c)) problems.push(`${name} entry ${JSON.stringify(c)} must be a CIDR such as 10.20.0.0/16 or fd00:1::/48`);
  }
  return out;
}

/** `DISCOM=https://peer-node,DISCOM=…` → { DISCOM: url } (IES_SETTLEMENT_PEER_URLS). */
export function peerUrls(text: string, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of text.split(',').map((e) => e.trim()).filter(Boolean)) {
    const [discom, url] = [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)];
    let ok = /^[A-Z0-9]+(-[A-Z0-9]+)*$/.test(discom);
    try {
      ok &&= ['http:', 'https:'].includes(new URL(url).protocol);
    } catch {
      ok = false;
    }
    if (!ok) problems.push(`IES_SETTLEMENT_PEER_URLS entry ${JSON.stringify(entry)} must be DISCOM=http(s)://host[:port]`);
    else out[discom] = url.replace(/\/+$/, '');
  }
  return out;
}

/**
 * `<name>+<8 hex>+<base64>` verifier keys separated by commas or whitespace (IES_WITNESS_LOGS);
 * only their shape is checked here, the witness parses each key when it starts.
 */
export function vkeys(name: string, text: string, problems: string[]): string[] {
  const out = text.split(/[\s,]+/).filter(Boolean);
  for (const k of out) if (!/^[^\s+]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+={0,2}$/.test(k)) problems.push(`${name} entry ${JSON.stringify(k)} must be a verifier key <name>+<8 hex digits>+<base64 key>`);
  return out;
}

/**
 * IES_NOTARY_WITNESSES: a JSON array of `{"url": "<witness prefix>", "vkey": "<cosigner vkey>",
 * "tenants": ["DEMO-DL", …]}` (tenants optional). Malformed entries are reported, not dropped.
 */
export function notaryWitnesses(name: string, text: string, problems: string[]): { url: string; vkey: string; tenants?: string[] }[] {
  if (text.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    problems.push(`${name} must be a JSON array of {"url","vkey","tenants"?}: ${(err as Error).message}`);
    return [];
  }
  if (!Array.isArray(parsed)) {
    problems.push(`${name} must be a JSON array of {"url","vkey","tenants"?}`);
    return [];
  }
  const out: { url: string; vkey: string; tenants?: string[] }[] = [];
  for (const [i, e] of parsed.entries()) {
    const o = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
    const url = typeof o.url === 'string' && /^https?:\/\/[^\s]+$/.test(o.url) ? o.url : undefined;
    const vkey = typeof o.vkey === 'string' ? vkeys(`${name}[${i}].vkey`, o.vkey, problems)[0] : undefined;
    const tenants = o.tenants === undefined ? undefined : Array.isArray(o.tenants) && o.tenants.every((t) => typeof t === 'string') ? (o.tenants as string[]) : null;
    if (url === undefined) problems.push(`${name}[${i}].url must be an http(s) URL (the witness's submission prefix)`);
    if (typeof o.vkey !== 'string') problems.push(`${name}[${i}].vkey must be the witness's cosignature/v1 verifier key`);
    if (tenants === null) problems.push(`${name}[${i}].tenants must be an array of DISCOM ids`);
    if (url !== undefined && vkey !== undefined && tenants !== null) out.push({ url, vkey, ...(tenants ? { tenants } : {}) });
  }
  return out;
}
