import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exportPrivateJwk, generateSigningKey, type SigningAlgorithm } from '@ies/crypto';
import { option, parseArgs } from './args.js';

const USAGE = `usage: ies keys generate [--name NAME] [--alg EdDSA|ES256] [--out DIR] [--operator]
  writes DIR/NAME.private.jwk.json (mode 600) and DIR/NAME.public.jwk.json; prints the kid.
  --operator also adds the public key to DIR/operator.jwks.json, the node operator's key set
  that signs registry documents (IES_OPERATOR_JWKS_FILE).`;

/** `ies keys generate`: a key pair for a participant (head-end, aggregator, platform, operator). */
export async function runKeys(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.positional[0] !== 'generate') {
    console.error(USAGE);
    return 2;
  }
  const alg = option(args, 'alg', 'EdDSA');
  if (alg !== 'EdDSA' && alg !== 'ES256') {
    console.error(`ies keys: --alg must be EdDSA or ES256, not ${alg}`);
    return 2;
  }
  const operator = args.options.get('operator') === true;
  const name = option(args, 'name', operator ? 'operator' : 'participant');
  const out = option(args, 'out', '.stack/keys');
  await mkdir(out, { recursive: true });
  const key = await generateSigningKey(alg as SigningAlgorithm);
  const privatePath = path.join(out, `${name}.private.jwk.json`);
  // 'wx': never overwrite an existing private key (losing an operator key locks the registry).
  try {
    await writeFile(privatePath, `${JSON.stringify(await exportPrivateJwk(key), null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    console.error(`ies keys: ${privatePath} exists; choose another --name or --out`);
    return 1;
  }
  await chmod(privatePath, 0o600);
  await writeFile(path.join(out, `${name}.public.jwk.json`), `${JSON.stringify(key.publicJwk, null, 2)}\n`);
  if (operator) {
    const jwksPath = path.join(out, 'operator.jwks.json');
    const existing = await readFile(jwksPath, 'utf8').then((t) => JSON.parse(t) as { keys: unknown[] }, () => ({ keys: [] }));
    await writeFile(jwksPath, `${JSON.stringify({ keys: [...existing.keys, key.publicJwk] }, null, 2)}\n`);
  }
  console.log(JSON.stringify({ kid: key.kid, alg, private: privatePath, public: path.join(out, `${name}.public.jwk.json`), ...(operator ? { jwks: path.join(out, 'operator.jwks.json') } : {}) }));
  return 0;
}
