import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exportPrivateJwk, generateSigningKey, importPrivateJwk, type KeyPair } from '@ies/crypto';
import type { Redis } from '@ies/redis';
import type { JWK } from 'jose';
import { webhookKeys } from '@ies/webhooks';

/** Where the node publishes its webhook signing key's public JWK (the gateway serves it in the JWKS). */
export const WEBHOOK_PUBLIC_KEY = webhookKeys.nodePublicKey;

/**
 * The node's webhook signing key: read from its private JWK file, created (mode 0600) on
 * first start; its public JWK is published in Redis for /.well-known/jwks.json.
 */
export async function loadWebhookKey(file: string, redis: Redis): Promise<Pick<KeyPair, 'kid' | 'alg' | 'privateKey'>> {
  let jwk: JWK;
  try {
    jwk = JSON.parse(await readFile(file, 'utf8')) as JWK;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const fresh = await generateSigningKey('EdDSA');
    jwk = await exportPrivateJwk(fresh);
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(`${file}.tmp`, `${JSON.stringify(jwk, null, 2)}\n`, { mode: 0o600 });
    await rename(`${file}.tmp`, file);
  }
  const key = await importPrivateJwk(jwk);
  const { d: _d, ...pub } = jwk;
  await redis.set(WEBHOOK_PUBLIC_KEY, JSON.stringify({ ...pub, kid: key.kid, 'ies:role': 'WEBHOOK' }));
  return key;
}
