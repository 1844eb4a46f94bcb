import { Ed25519KeyFile } from '@ies/crypto';
import { cosigner, formatCosignerKey, type Cosigner } from '@ies/verify';

export interface WitnessKeys {
  /** Every key of the file, newest first: each cosigns, so peers that trust either key during a rotation are served. */
  readonly cosigners: readonly Cosigner[];
  /** Their cosignature/v1 vkeys (type 0x04), same order: what peers configure. */
  readonly vkeys: readonly string[];
}

/**
 * The witness's Ed25519 keys in `<dir>/witness.jwks.json` (the project's key files: created
 * with one key on first use, mode 0600; rotation = put a new key first, picked up without a
 * restart; revocation = remove a key), seen as cosignature/v1 cosigners named `name`.
 */
export class WitnessKeyFile {
  private readonly keyFile: Ed25519KeyFile;
  private cached: { from: unknown; keys: WitnessKeys } | undefined;

  constructor(dir: string, private readonly name: string) {
    this.keyFile = new Ed25519KeyFile(dir, 'witness');
  }

  get file(): string {
    return this.keyFile.file;
  }

  async current(): Promise<WitnessKeys> {
    const { privateKeys } = await this.keyFile.current();
    if (this.cached?.from !== privateKeys) {
      const cosigners = privateKeys.map((k) => cosigner(this.name, k));
      this.cached = { from: privateKeys, keys: { cosigners, vkeys: cosigners.map(formatCosignerKey) } };
    }
    return this.cached.keys;
  }
}
