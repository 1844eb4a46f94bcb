import { generateKeyPairSync } from 'node:crypto';
import { RFC6962_SHA256, consistencyProof, rootFromLeafHashes } from '@ies/merkle';
import { formatCheckpoint, formatVerifierKey, noteSigner, signNote, type NoteSigner } from '@ies/verify';

/**
 * A small log for the witness's tests (not shipped behaviour): leaves, roots, consistency
 * proofs from @ies/merkle, checkpoints signed with @ies/verify's note signer.
 */
export class TestLog {
  readonly signer: NoteSigner;
  readonly leaves: Uint8Array[] = [];

  constructor(readonly origin: string, signer?: NoteSigner) {
    this.signer = signer ?? noteSigner(origin, generateKeyPairSync('ed25519').privateKey);
  }

  get vkey(): string {
    return formatVerifierKey(this.signer);
  }

  append(n: number, tag = 'leaf'): this {
    for (let i = 0; i < n; i++) this.leaves.push(RFC6962_SHA256.hashLeaf(Buffer.from(`${tag} ${this.leaves.length}`)));
    return this;
  }

  root(size = this.leaves.length): Uint8Array {
    return new Uint8Array(rootFromLeafHashes(RFC6962_SHA256, this.leaves.slice(0, size)));
  }

  checkpoint(size = this.leaves.length): string {
    return signNote(formatCheckpoint({ origin: this.origin, size, rootHash: this.root(size), extensions: [] }), this.signer);
  }

  proof(from: number, to = this.leaves.length): Uint8Array[] {
    return from === 0 || from === to ? [] : consistencyProof(RFC6962_SHA256, this.leaves, from, to);
  }

  /** The same log with the same key, whose leaves differ from `at` on: a fork. */
  fork(at: number): TestLog {
    const other = new TestLog(this.origin, this.signer);
    other.leaves.push(...this.leaves.slice(0, at));
    return other;
  }
}
