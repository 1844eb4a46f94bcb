import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatMlDsaKey, mlDsaSignerFromSeed, type MlDsaSigner } from '@ies/verify';

/** A tenant's ML-DSA-44 checkpoint keys: the newest signs, all are published. */
export interface MlDsaKeys {
  readonly signer: MlDsaSigner;
  /** c2sp.org/signed-note vkeys of type 0x06, newest first. */
  readonly verifierKeys: readonly string[];
}

/**
 * `<dir>/<discom>.mldsa44.json`: `{"alg": "ML-DSA-44", "seeds": ["<base64 32-byte seed>", …]}`,
 * newest first (FIPS 204 key generation from a seed: the seed is the private key). Created
 * with one key on first use (mode 0600); rotation by putting a new seed first, picked up
 * without a restart (the file is re-read when its mtime changes).
 */
export class MlDsaKeyFile {
  readonly file: string;
  private cached: { mtimeMs: number; keys: MlDsaKeys } | undefined;

  constructor(dir: string, private readonly origin: string, discomId: string) {
    this.file = path.resolve(dir, `${discomId}.mldsa44.json`);
  }

  current(): MlDsaKeys {
    if (!existsSync(this.file)) create(this.file);
    const mtimeMs = statSync(this.file).mtimeMs;
    if (this.cached?.mtimeMs !== mtimeMs) this.cached = { mtimeMs, keys: this.load() };
    return this.cached.keys;
  }

  private load(): MlDsaKeys {
    const doc = JSON.parse(readFileSync(this.file, 'utf8')) as { alg?: unknown; seeds?: unknown };
    if (doc.alg !== 'ML-DSA-44' || !Array.isArray(doc.seeds) || doc.seeds.length === 0) throw new Error(`${this.file}: want {"alg":"ML-DSA-44","seeds":["<base64 32-byte seed>", …]} with at least one seed`);
    const signers = doc.seeds.map((s, i) => {
      const seed = typeof s === 'string' ? Buffer.from(s, 'base64') : Buffer.alloc(0);
      if (seed.length !== 32) throw new Error(`${this.file}: seed ${i} is not 32 bytes of base64`);
      return mlDsaSignerFromSeed(this.origin, seed);
    });
    return { signer: signers[0]!, verifierKeys: signers.map((s) => formatMlDsaKey(s)) };
  }
}

function create(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ alg: 'ML-DSA-44', seeds: [randomBytes(32).toString('base64')] }, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
