/**
 * The body of `POST <submission prefix>/add-checkpoint` (https://c2sp.org/tlog-witness):
 * `old <size>\n`, zero to 63 consistency proof lines (one base64 SHA-256 hash each), an empty
 * line, then the signed checkpoint note. Every line ends in a newline.
 */
export interface AddCheckpointRequest {
  /** The size of the checkpoint the log believes the witness last cosigned (0 if none). */
  readonly oldSize: number;
  /** RFC 6962 consistency proof from oldSize to the checkpoint's size. */
  readonly proof: readonly Uint8Array[];
  /** The checkpoint as a signed note (body, blank line, signature lines). */
  readonly checkpointNote: string;
}

/** The spec's bound on proof lines: a proof between two sizes below 2^63 never needs more. */
export const MAX_PROOF_LINES = 63;

export type ParsedAddCheckpointRequest = { readonly ok: true; readonly request: AddCheckpointRequest } | { readonly ok: false; readonly reason: string };

const OLD_LINE = /^old (0|[1-9][0-9]*)$/;
const HASH_LINE = /^[A-Za-z0-9+/]{43}=$/;

export function parseAddCheckpointRequest(text: string): ParsedAddCheckpointRequest {
  const end = text.indexOf('\n\n');
  if (end < 0) return fail('no empty line between the old size and proof lines and the checkpoint');
  const [oldLine = '', ...proofLines] = text.slice(0, end).split('\n');
  const old = OLD_LINE.exec(oldLine);
  if (!old) return fail(`first line ${JSON.stringify(oldLine.slice(0, 40))} is not "old <size>" (decimal, no leading zeros)`);
  const oldSize = Number(old[1]);
  if (!Number.isSafeInteger(oldSize)) return fail(`old size ${old[1]} is beyond 2^53-1`);
  if (proofLines.length > MAX_PROOF_LINES) return fail(`${proofLines.length} proof lines; at most ${MAX_PROOF_LINES} are allowed`);
  const bad = proofLines.findIndex((l) => !HASH_LINE.test(l));
  if (bad >= 0) return fail(`proof line ${bad + 1} is not the base64 of a 32-byte hash`);
  const checkpointNote = text.slice(end + 2);
  if (checkpointNote.length === 0) return fail('no checkpoint after the empty line');
  return { ok: true, request: { oldSize, proof: proofLines.map((l) => new Uint8Array(Buffer.from(l, 'base64'))), checkpointNote } };
}

export function formatAddCheckpointRequest(r: AddCheckpointRequest): string {
  if (!Number.isSafeInteger(r.oldSize) || r.oldSize < 0) throw new RangeError(`old size ${r.oldSize} is not a non-negative integer`);
  if (r.proof.length > MAX_PROOF_LINES) throw new RangeError(`a proof of ${r.proof.length} hashes exceeds the ${MAX_PROOF_LINES} lines a witness accepts`);
  for (const h of r.proof) if (h.length !== 32) throw new RangeError(`a proof hash is ${h.length} bytes, not 32`);
  const lines = [`old ${r.oldSize}`, ...r.proof.map((h) => Buffer.from(h).toString('base64'))];
  return `${lines.join('\n')}\n\n${r.checkpointNote}`;
}

function fail(reason: string): ParsedAddCheckpointRequest {
  return { ok: false, reason };
}
