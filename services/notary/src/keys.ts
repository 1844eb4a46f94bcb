import { Ed25519KeyFile } from '@ies/crypto';
import type { JWK } from 'jose';
import { formatVerifierKey, noteSigner, type NoteSigner } from '@ies/verify';
import type { JwsKey } from '@ies/verify';

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
 * A tenant's notary keys: an `Ed25519KeyFile` (`<dir>/<discom>.jwks.json`, rotation by
 * putting a new key first, picked up without a restart) seen as note signers and JWS keys.
 */
export class NotaryKeyFile {
  private readonly keyFile: Ed25519KeyFile;
  private cached: { from: unknown; keys: NotaryKeys } | undefined;

  constructor(
    dir: string,
    private readonly origin: string,
    discomId: string,
  ) {
    this.keyFile = new Ed25519KeyFile(dir, discomId);
  }

  get file(): string {
    return this.keyFile.file;
  }

  async current(): Promise<NotaryKeys> {
    const { privateKeys, jwks } = await this.keyFile.current();
    if (this.cached?.from !== privateKeys) {
      const signers = privateKeys.map((k) => noteSigner(this.origin, k));
      this.cached = { from: privateKeys, keys: { signer: signers[0]!, jws: { kid: jwks[0]!.kid as string, privateKey: privateKeys[0]! }, jwks, verifierKeys: signers.map((s) => formatVerifierKey(s)) } };
    }
    return this.cached.keys;
  }
}
