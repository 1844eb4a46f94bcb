import type { Actors } from './actors.js';
import { bearer, deskId } from './actors.js';
import { sleep } from './processes.js';

export interface LogWatch {
  /** Per DISCOM: the notary's verifier keys as first published, held out of band. */
  keys: Record<string, string[]>;
  /** Per DISCOM: every distinct signed checkpoint seen during the run. */
  checkpoints: Record<string, string[]>;
  stop(): Promise<void>;
}

/**
 * What a monitor of the logs keeps while the node is faulted: the verifier keys (before any
 * Redis loss can take them) and every checkpoint the node served, so the auditor can check
 * that all of them are consistent and that no two of one size differ.
 */
export function watchLogs(urls: readonly string[], actors: Actors, discoms: readonly string[], nodeId: string): LogWatch {
  const keys: Record<string, string[]> = {};
  const seen: Record<string, Set<string>> = Object.fromEntries(discoms.map((d) => [d, new Set<string>()]));
  let running = true;
  const get = async (url: string, d: string, path: string): Promise<string | undefined> => {
    const token = await bearer(deskId(d), actors.desk[d]!, nodeId);
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5000) }).catch(() => undefined);
    return res?.status === 200 ? res.text() : undefined;
  };
  const loop = (async () => {
    for (let i = 0; running; i += 1) {
      for (const d of discoms) {
        const url = urls[i % urls.length]!;
        if (keys[d] === undefined) {
          const text = await get(url, d, '/v1/log/key');
          if (text) keys[d] = text.split('\n').filter(Boolean);
        }
        const note = await get(url, d, '/v1/log/checkpoint');
        if (note) seen[d]!.add(note);
      }
      await sleep(2000);
    }
  })();
  return {
    keys,
    get checkpoints() {
      return Object.fromEntries(discoms.map((d) => [d, [...seen[d]!]]));
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}
