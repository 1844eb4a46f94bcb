import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { formatVerifierKey, noteSigner, type NoteSigner } from './domain/note.js';
import type { JwsKey } from './domain/receipt.js';

export interface NotaryKeys {
  /** Signs checkpoints: the newest key of the file. */
  readonly signer: NoteSigner;
  /** Signs receipts: the same key, as a JWS key. */
  readonly jws: JwsKey;
  /** Every key of the file (newest first), public parts only: what verifiers need. */
  readonly jwks: readonly JWK[];
  readonly verifierKeys: readonly string[];
}

/**
 * A tenant's notary keys: `<dir>/<discom>.jwks.json`, private Ed25519 JWKs, newest first.
 * Created with one fresh key on first start (mode 0600). Rotation = put a new key first; the
 * file is re-read when it changes, so the notary signs with the new key without a restart,
 * and older keys stay published so earlier checkpoints and receipts still verify.
 */
export class NotaryKeyFile {
  private cached: { mtimeMs: number; keys: NotaryKeys } | undefined;
  readonly file: string;

  constructor(
    dir: string,
    private readonly origin: string,
    discomId: string,
  ) {
    this.file = path.resolve(dir, `${discomId}.jwks.json`);
  }

  /** The current keys, re-reading the file only when its mtime changed. */
  async current(): Promise<NotaryKeys> {
    if (!existsSync(this.file)) createKeyFile(this.file);
    const mtimeMs = statSync(this.file).mtimeMs;
    if (this.cached?.mtimeMs !== mtimeMs) this.cached = { mtimeMs, keys: await this.load() };
    return this.cached.keys;
  }

  private async load(): Promise<NotaryKeys> {
    const doc = JSON.parse(readFileSync(this.file, 'utf8')) as { keys?: JWK[] };
    const privates = (doc.keys ?? []).map((jwk, i) => {
      if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string') throw new Error(`${this.file}: key ${i} is not a private Ed25519 JWK (kty OKP, crv Ed25519, d)`);
      return createPrivateKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
    });
    if (privates.length === 0) throw new Error(`${this.file} holds no keys`);
    const jwks = await Promise.all(privates.map(publicJwk));
    const signer = noteSigner(this.origin, privates[0]!);
    return { signer, jws: { kid: jwks[0]!.kid as string, privateKey: privates[0]! }, jwks, verifierKeys: privates.map((k) => formatVerifierKey(noteSigner(this.origin, k))) };
  }
}

async function publicJwk(privateKey: KeyObject): Promise<JWK> {
  const { kty, crv, x } = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
  const jwk: JWK = { kty, crv, x };
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'EdDSA', use: 'sig' };
}

function createKeyFile(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ keys: [jwk] }, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
