import { judgeCheckpoint, openAddCheckpoint, type Refusal } from './domain/add-checkpoint.js';
import { cosign } from './domain/cosign.js';
import { keepSignaturesBy, mergeCosignatures } from './domain/merge-cosignatures.js';
import type { TrustedLogs } from './trusted-logs.js';
import type { WitnessKeyFile } from './witness-keys.js';
import type { WitnessStore } from './witness-store.js';

export type AddCheckpointOutcome =
  | { readonly ok: true; readonly origin: string; readonly size: number; readonly cosignatures: string }
  /** `origin` is set once the checkpoint was found signed by its log: a refusal then may be evidence of a fork. */
  | { readonly ok: false; readonly refusal: Refusal; readonly origin?: string; readonly checkpointNote?: string };

export interface WitnessDeps {
  readonly logs: TrustedLogs;
  readonly keys: WitnessKeyFile;
  readonly store: WitnessStore;
  /** Epoch milliseconds. */
  readonly now: () => number;
}

/**
 * The witness's one use case: check an add-checkpoint request against the trusted keys and
 * the last cosigned checkpoint, record the new one (compare-and-set) and answer with the
 * cosignature lines. Persisted before answering, as the spec requires.
 */
export class Witness {
  constructor(private readonly deps: WitnessDeps) {}

  async addCheckpoint(text: string): Promise<AddCheckpointOutcome> {
    const opened = openAddCheckpoint(text, (origin) => this.deps.logs.keysOf(origin));
    if (!opened.ok) return { ok: false, refusal: opened.refusal };
    const { checkpoint, body, signedBy, request } = opened.opened;
    const origin = checkpoint.origin;
    const record = await this.deps.store.get(origin);
    const judged = judgeCheckpoint(opened.opened, record?.log);
    if (!judged.ok) return { ok: false, refusal: judged.refusal, origin, checkpointNote: request.checkpointNote };
    const { cosigners } = await this.deps.keys.current();
    const lines = cosign(body, cosigners, Math.floor(this.deps.now() / 1000));
    const kept = mergeCosignatures(keepSignaturesBy(request.checkpointNote, signedBy), lines);
    const advanced = await this.deps.store.advance(origin, record?.log, judged.next, kept);
    if (!advanced.ok) {
      const refusal: Refusal = { code: 'CONFLICT', knownSize: advanced.knownSize, reason: `another request moved ${origin} to size ${advanced.knownSize} while this one was checked` };
      return { ok: false, refusal, origin };
    }
    return { ok: true, origin, size: checkpoint.size, cosignatures: lines };
  }

  /** The last cosigned checkpoint of the log whose origin hashes to `originHash`, for monitors. */
  async latestCheckpoint(originHash: string): Promise<string | undefined> {
    const origin = this.deps.logs.originOfHash(originHash);
    return origin === undefined ? undefined : (await this.deps.store.get(origin))?.checkpoint;
  }

  async vkeys(): Promise<readonly string[]> {
    return (await this.deps.keys.current()).vkeys;
  }
}
