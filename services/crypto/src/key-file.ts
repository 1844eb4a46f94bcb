import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';

export interface Ed25519Keys {
  /** Every private key of the file, newest first: the first one signs. */
  readonly privateKeys: readonly KeyObject[];
  /** Their public JWKs (kid = RFC 7638 thumbprint, alg EdDSA, use sig), same order. */
  readonly jwks: readonly JWK[];
}

/**
 * A tenant's Ed25519 signing keys in `<dir>/<discom>.jwks.json`: private JWKs, newest first.
 * Created with one fresh key (mode 0600) on first use. Rotation = put a new key first; the
 * file is re-read when its mtime changes, so signers pick up the new key without a restart,
 * and the older keys stay published so what they signed still verifies. Revocation = remove
 * the key from the file (and from what verifiers trust).
 */
export class Ed25519KeyFile {
  private cached: { mtimeMs: number; keys: Ed25519Keys } | undefined;
  readonly file: string;

  constructor(dir: string, discomId: string) {
    this.file = path.resolve(dir, `${discomId}.jwks.json`);
  }

  /** The current keys, re-reading the file only when its mtime changed. */
  async current(): Promise<Ed25519Keys> {
    if (!existsSync(this.file)) createKeyFile(this.file);
    const mtimeMs = statSync(this.file).mtimeMs;
    if (this.cached?.mtimeMs !== mtimeMs) this.cached = { mtimeMs, keys: await this.load() };
    return this.cached.keys;
  }

  private async load(): Promise<Ed25519Keys> {
    const doc = JSON.parse(readFileSync(this.file, 'utf8')) as { keys?: JWK[] };
    const privateKeys = (doc.keys ?? []).map((jwk, i) => {
      if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string') throw new Error(`${this.file}: key ${i} is not a private Ed25519 JWK (kty OKP, crv Ed25519, d)`);
      return createPrivateKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
    });
    if (privateKeys.length === 0) throw new Error(`${this.file} holds no keys`);
    return { privateKeys, jwks: await Promise.all(privateKeys.map(publicJwkOf)) };
  }
}

/** The public JWK of an Ed25519 private key, with its RFC 7638 thumbprint as kid. */
export async function publicJwkOf(privateKey: KeyObject): Promise<JWK> {
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
