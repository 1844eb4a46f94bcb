import { Ed25519KeyFile } from '@ies/crypto';
import type { JWK } from 'jose';
import { formatVerifierKey, noteSigner, type NoteSigner } from '@ies/verify';
import type { JwsKey } from '@ies/verify';
import { MlDsaKeyFile, type MlDsaKeys } from './mldsa-key-file.js';

export interface NotaryKeys {
  /** Signs checkpoints: the newest key of the file. */
  readonly signer: NoteSigner;
  /** Signs receipts: the same key, as a JWS key. */
  readonly jws: JwsKey;
  /** Every key of the file (newest first), public parts only: what verifiers need. */
  readonly jwks: readonly JWK[];
  readonly verifierKeys: readonly string[];
  /** The ML-DSA-44 keys, when the tenant's checkpoints are also signed post-quantum. */
  readonly mlDsa?: MlDsaKeys;
}

/**
 * A tenant's notary keys: an `Ed25519KeyFile` (`<dir>/<discom>.jwks.json`, rotation by
 * putting a new key first, picked up without a restart) seen as note signers and JWS keys.
 */
export class NotaryKeyFile {
  private readonly keyFile: Ed25519KeyFile;
  private cached: { from: unknown; pq: unknown; keys: NotaryKeys } | undefined;
  private readonly mlDsaFile: MlDsaKeyFile | undefined;

  constructor(
    dir: string,
    private readonly origin: string,
    discomId: string,
    options: { mlDsa44?: boolean } = {},
  ) {
    this.keyFile = new Ed25519KeyFile(dir, discomId);
    this.mlDsaFile = options.mlDsa44 ? new MlDsaKeyFile(dir, origin, discomId) : undefined;
  }

  get file(): string {
    return this.keyFile.file;
  }

  async current(): Promise<NotaryKeys> {
    const { privateKeys, jwks } = await this.keyFile.current();
    const mlDsa = this.mlDsaFile?.current();
    if (this.cached?.from !== privateKeys || this.cached.pq !== mlDsa) {
      const signers = privateKeys.map((k) => noteSigner(this.origin, k));
      this.cached = { from: privateKeys, pq: mlDsa, keys: { signer: signers[0]!, jws: { kid: jwks[0]!.kid as string, privateKey: privateKeys[0]! }, jwks, verifierKeys: signers.map((s) => formatVerifierKey(s)), ...(mlDsa ? { mlDsa } : {}) } };
    }
    return this.cached.keys;
  }
}
