import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { importPrivateJwk, signDetached } from '@ies/crypto';
import { option, parseArgs } from './args.js';

const USAGE = `usage: ies registry apply FILE.yaml [--key .stack/keys/operator.private.jwk.json] [--url http://127.0.0.1:8080]
  signs the document with the node operator's key and applies it (participants, keys, meters).`;

/** `ies registry apply`: sign a registry document as the node operator and send it to the gateway. */
export async function runRegistry(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const args = parseArgs(argv);
  const [verb, file] = args.positional;
  if (verb !== 'apply' || file === undefined) {
    console.error(USAGE);
    return 2;
  }
  const body = await readFile(file);
  const key = await importPrivateJwk(JSON.parse(await readFile(option(args, 'key', '.stack/keys/operator.private.jwk.json'), 'utf8')));
  // The signature is bound to this request and the document's DISCOM (htm, htu, tenant).
  const tenant = /^discom:\s*["']?([A-Z0-9-]+)["']?\s*$/m.exec(body.toString('utf8'))?.[1] ?? (JSON.parse(body.toString('utf8').trimStart().startsWith('{') ? body.toString('utf8') : '{}') as { discom?: string }).discom ?? '';
  const signature = await signDetached(body, key, { iat: Math.floor(Date.now() / 1000), jti: `registry-${randomUUID()}`, htm: 'POST', htu: '/v1/registry', tenant });
  const url = option(args, 'url', env.IES_GATEWAY_URL ?? 'http://127.0.0.1:8080');
  const res = await fetch(`${url}/v1/registry`, { method: 'POST', headers: { 'content-type': 'application/yaml', 'x-ies-signature': signature }, body });
  const text = await res.text();
  if (!res.ok) {
    console.error(`ies registry apply: ${res.status} ${text}`);
    return 1;
  }
  console.log(text);
  return 0;
}
