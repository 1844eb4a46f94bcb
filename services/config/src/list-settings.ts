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
