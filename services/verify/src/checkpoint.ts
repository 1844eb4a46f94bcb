import { Buffer } from 'buffer';
/**
 * C2SP tlog-checkpoint bodies (https://c2sp.org/tlog-checkpoint): the origin line, the tree
 * size in decimal, the root hash in standard base64, then optional extension lines; every
 * line ends with a newline. The body is what the notary signs as a note (note.ts).
 */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  readonly extensions: readonly string[];
}

export function formatCheckpoint(c: Checkpoint): string {
  if (!isValidOrigin(c.origin)) throw new RangeError(`origin ${JSON.stringify(c.origin)} must be a non-empty line without control characters`);
  if (!Number.isSafeInteger(c.size) || c.size < 0) throw new RangeError(`tree size ${c.size} is not a non-negative integer`);
  if (c.rootHash.length !== 32) throw new RangeError(`root hash is ${c.rootHash.length} bytes, not 32`);
  for (const e of c.extensions) if (e.length === 0 || e.includes('\n')) throw new RangeError('an extension line must be non-empty and single-line');
  return [c.origin, String(c.size), Buffer.from(c.rootHash).toString('base64'), ...c.extensions].map((l) => `${l}\n`).join('');
}

export type ParsedCheckpoint = { readonly ok: true; readonly checkpoint: Checkpoint } | { readonly ok: false; readonly reason: string };

export function parseCheckpoint(body: string): ParsedCheckpoint {
  if (!body.endsWith('\n')) return { ok: false, reason: 'a checkpoint body ends with a newline' };
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3) return { ok: false, reason: `a checkpoint has at least 3 lines (origin, size, root), got ${lines.length}` };
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (!isValidOrigin(origin)) return { ok: false, reason: `origin line ${JSON.stringify(origin)} is empty or holds control characters` };
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) return { ok: false, reason: `size line ${JSON.stringify(sizeText)} is not a decimal integer without leading zeros` };
  if (!/^[A-Za-z0-9+/]{43}=$/.test(rootText)) return { ok: false, reason: `root line ${JSON.stringify(rootText)} is not the standard base64 of 32 bytes` };
  if (extensions.some((e) => e.length === 0)) return { ok: false, reason: 'extension lines must not be empty' };
  return { ok: true, checkpoint: { origin, size: Number(sizeText), rootHash: new Uint8Array(Buffer.from(rootText, 'base64')), extensions } };
}

function isValidOrigin(origin: string): boolean {
  // eslint-disable-next-line no-control-regex
  return origin.length > 0 && !/[\u0000-\u001f\u007f]/.test(origin);
}

/**
 * The checkpoint a signed note carries, without checking its signatures: for the log's own
 * stored notes (the writer verified them when it signed). Verifiers use verifyCheckpoint.
 */
export function checkpointOfNote(note: string): ParsedCheckpoint {
  const end = note.lastIndexOf('\n\n');
  return end < 0 ? { ok: false, reason: 'not a signed note: no blank line before the signatures' } : parseCheckpoint(note.slice(0, end + 1));
}

/** The tree size of a stored signed checkpoint; throws on a malformed one. */
export function checkpointSizeOf(note: string): number {
  const parsed = checkpointOfNote(note);
  if (!parsed.ok) throw new RangeError(`malformed checkpoint: ${parsed.reason}`);
  return parsed.checkpoint.size;
}
