import { RFC6962_SHA256, verifyConsistency } from '@ies/merkle';
import { checkpointOfNote, openNote, type Checkpoint, type NoteVerifier } from '@ies/verify';
import { parseAddCheckpointRequest, type AddCheckpointRequest } from './add-checkpoint-request.js';

/**
 * The witness's checks of an add-checkpoint request, in the order c2sp.org/tlog-witness gives
 * them, as pure functions: `openAddCheckpoint` needs only the trusted log keys (404 unknown
 * origin, 403 signature, 400 malformed or old size above the checkpoint's), `judgeCheckpoint`
 * the witness's record of the log (409 old size is not the one last cosigned, 422 size-0
 * root, proof from 0, bad proof, or same size with another root: a fork).
 */
export type RefusalCode = 'MALFORMED' | 'UNKNOWN_LOG' | 'BAD_SIGNATURE' | 'CONFLICT' | 'INCONSISTENT';

export type Refusal =
  | { readonly code: 'MALFORMED' | 'UNKNOWN_LOG' | 'BAD_SIGNATURE' | 'INCONSISTENT'; readonly reason: string }
  | { readonly code: 'CONFLICT'; readonly knownSize: number; readonly reason: string };

/** What the witness keeps per log origin: the size and root of the last checkpoint it cosigned. */
export interface WitnessedLog {
  readonly size: number;
  readonly rootHash: Uint8Array;
}

/** A request whose checkpoint is signed by a trusted key of its origin. */
export interface OpenedRequest {
  readonly request: AddCheckpointRequest;
  readonly checkpoint: Checkpoint;
  /** The checkpoint note's text (what the log signed and the witness cosigns). */
  readonly body: string;
  readonly signedBy: readonly NoteVerifier[];
}

export type Opened = { readonly ok: true; readonly opened: OpenedRequest } | { readonly ok: false; readonly refusal: Refusal };
export type Judged = { readonly ok: true; readonly next: WitnessedLog } | { readonly ok: false; readonly refusal: Refusal };

/** `trustedKeys(origin)`: the log keys configured for an origin, undefined when the witness does not watch it. */
export function openAddCheckpoint(text: string, trustedKeys: (origin: string) => readonly NoteVerifier[] | undefined): Opened {
  const parsed = parseAddCheckpointRequest(text);
  if (!parsed.ok) return refuse('MALFORMED', parsed.reason);
  const { request } = parsed;
  const unverified = checkpointOfNote(request.checkpointNote);
  if (!unverified.ok) return refuse('MALFORMED', `the checkpoint: ${unverified.reason}`);
  const origin = unverified.checkpoint.origin;
  const keys = trustedKeys(origin);
  if (!keys || keys.length === 0) return refuse('UNKNOWN_LOG', `this witness does not watch a log with origin ${JSON.stringify(origin)}`);
  const note = openNote(request.checkpointNote, keys);
  if (!note.ok) return refuse(note.code === 'MALFORMED_NOTE' ? 'MALFORMED' : 'BAD_SIGNATURE', `the checkpoint of ${origin}: ${note.reason}`);
  const checkpoint = unverified.checkpoint;
  if (request.oldSize > checkpoint.size) return refuse('MALFORMED', `old size ${request.oldSize} is above the checkpoint's size ${checkpoint.size}`);
  return { ok: true, opened: { request, checkpoint, body: note.body, signedBy: note.verifiedBy } };
}

/** `witnessed`: the witness's record of the log, undefined when it never cosigned one (size 0). */
export function judgeCheckpoint(opened: OpenedRequest, witnessed: WitnessedLog | undefined): Judged {
  const { request, checkpoint } = opened;
  const knownSize = witnessed?.size ?? 0;
  if (request.oldSize !== knownSize) {
    return { ok: false, refusal: { code: 'CONFLICT', knownSize, reason: `old size ${request.oldSize} is not ${knownSize}, the size of the last checkpoint this witness cosigned for ${checkpoint.origin}` } };
  }
  const emptyRoot = RFC6962_SHA256.emptyRoot();
  if (checkpoint.size === 0 && !equal(checkpoint.rootHash, emptyRoot)) return inconsistent('a checkpoint of size 0 must carry the empty tree\'s root hash');
  if (request.oldSize === 0) {
    if (request.proof.length !== 0) return inconsistent(`from old size 0 the consistency proof must be empty, not ${request.proof.length} hashes`);
    // A record of size 0 has the empty root: any tree extends it.
    return { ok: true, next: { size: checkpoint.size, rootHash: checkpoint.rootHash } };
  }
  const known = witnessed!;
  if (checkpoint.size === known.size && !equal(checkpoint.rootHash, known.rootHash)) {
    return inconsistent(`fork: size ${known.size} was cosigned with root ${b64(known.rootHash)}, this checkpoint has ${b64(checkpoint.rootHash)}`);
  }
  const verified = verifyConsistency(RFC6962_SHA256, known.size, checkpoint.size, request.proof, known.rootHash, checkpoint.rootHash);
  if (!verified.ok) return inconsistent(`no consistency from the cosigned size ${known.size} to ${checkpoint.size} (${verified.code}): ${verified.reason}`);
  return { ok: true, next: { size: checkpoint.size, rootHash: checkpoint.rootHash } };
}

function inconsistent(reason: string): Judged {
  return { ok: false, refusal: { code: 'INCONSISTENT', reason } };
}

function refuse(code: 'MALFORMED' | 'UNKNOWN_LOG' | 'BAD_SIGNATURE', reason: string): Opened {
  return { ok: false, refusal: { code, reason } };
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const b64 = (h: Uint8Array): string => Buffer.from(h).toString('base64');
