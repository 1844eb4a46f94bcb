import { parseCosignerKey, verifyCosignatures, type NoteVerifier, type VerifiedCosignature } from '@ies/verify';
import { formatAddCheckpointRequest, type AddCheckpointRequest } from '../domain/add-checkpoint-request.js';
import type { RefusalCode } from '../domain/add-checkpoint.js';
import { mergeCosignatures } from '../domain/merge-cosignatures.js';

/**
 * A witness's answer to add-checkpoint, as the log sees it. Refusals by status
 * (c2sp.org/tlog-witness): 409 CONFLICT (retry with `old <knownSize>` and a proof from
 * there), 422 INCONSISTENT (bad proof, or a fork: alert), 404 UNKNOWN_LOG, 403 BAD_SIGNATURE,
 * 400 MALFORMED; UNAVAILABLE (network, timeout, 5xx, 429: retry later) and BAD_ANSWER (a 200
 * whose lines are not a valid cosignature by the expected witness key) are the client's own.
 */
export type WitnessAnswer =
  | { readonly ok: true; readonly cosignatures: string; readonly verified: readonly VerifiedCosignature[] }
  | { readonly ok: false; readonly refusal: 'CONFLICT'; readonly knownSize: number; readonly status: 409; readonly detail: string; readonly retriable: true }
  | {
      readonly ok: false;
      readonly refusal: Exclude<RefusalCode, 'CONFLICT'> | 'UNAVAILABLE' | 'BAD_ANSWER';
      readonly status?: number;
      readonly detail: string;
      readonly retriable: boolean;
    };

export interface AddCheckpointOptions {
  /**
   * The witness's cosignature/v1 vkeys (or parsed keys): when given, a 200 must carry at
   * least one valid cosignature by one of them, or the answer is BAD_ANSWER.
   */
  readonly witnessKeys?: readonly (string | NoteVerifier)[];
  /** Default 10 s. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

const STATUS_REFUSALS: Readonly<Record<number, Exclude<RefusalCode, 'CONFLICT'>>> = { 400: 'MALFORMED', 403: 'BAD_SIGNATURE', 404: 'UNKNOWN_LOG', 413: 'MALFORMED', 422: 'INCONSISTENT' };

/** POSTs `<witnessUrl>/add-checkpoint` (witnessUrl is the witness's submission prefix). */
export async function addCheckpoint(witnessUrl: string, request: AddCheckpointRequest, options: AddCheckpointOptions = {}): Promise<WitnessAnswer> {
  const body = formatAddCheckpointRequest(request);
  const doFetch = options.fetch ?? fetch;
  let res: Response;
  let text: string;
  try {
    res = await doFetch(`${witnessUrl.replace(/\/+$/, '')}/add-checkpoint`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    text = await res.text();
  } catch (err) {
    return { ok: false, refusal: 'UNAVAILABLE', detail: `witness ${witnessUrl} did not answer: ${(err as Error).message}`, retriable: true };
  }
  if (res.status === 200) return checkAnswer(request.checkpointNote, text, options.witnessKeys);
  if (res.status === 409) {
    const m = /^(0|[1-9][0-9]*)\n$/.exec(text);
    if (!m || !(res.headers.get('content-type') ?? '').startsWith('text/x.tlog.size')) {
      return { ok: false, refusal: 'BAD_ANSWER', status: 409, detail: `409 without a text/x.tlog.size body: ${JSON.stringify(text.slice(0, 80))}`, retriable: false };
    }
    return { ok: false, refusal: 'CONFLICT', knownSize: Number(m[1]), status: 409, detail: `the witness last cosigned size ${m[1]}, not ${request.oldSize}`, retriable: true };
  }
  const refusal = STATUS_REFUSALS[res.status];
  const detail = `${res.status}: ${problemDetail(text)}`;
  if (refusal) return { ok: false, refusal, status: res.status, detail, retriable: false };
  return { ok: false, refusal: 'UNAVAILABLE', status: res.status, detail, retriable: res.status >= 500 || res.status === 429 || res.status === 408 };
}

function checkAnswer(note: string, lines: string, keys: AddCheckpointOptions['witnessKeys']): WitnessAnswer {
  const bad = (detail: string): WitnessAnswer => ({ ok: false, refusal: 'BAD_ANSWER', status: 200, detail, retriable: false });
  if (lines.length === 0 || !lines.endsWith('\n')) return bad('the answer is not signature lines each ending in a newline');
  let merged: string;
  try {
    merged = mergeCosignatures(note, lines);
  } catch (err) {
    return bad((err as Error).message);
  }
  if (!keys) return { ok: true, cosignatures: lines, verified: [] };
  const verifiers = keys.map((k) => (typeof k === 'string' ? parseCosignerKey(k) : k));
  const checked = verifyCosignatures(merged, verifiers);
  if (!checked.ok) return bad(checked.reason);
  if (checked.cosignatures.length === 0) return bad(`no cosignature by ${verifiers.map((v) => v.name).join(', ')} in the answer`);
  return { ok: true, cosignatures: lines, verified: checked.cosignatures };
}

function problemDetail(text: string): string {
  try {
    const p = JSON.parse(text) as { detail?: unknown };
    if (typeof p.detail === 'string') return p.detail;
  } catch {
    // not problem+json: show the start of the body
  }
  return text.slice(0, 200);
}
