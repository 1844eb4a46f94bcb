/**
 * Adds a witness's signature lines (an add-checkpoint answer) to a signed checkpoint: a line
 * whose key name and key ID are already on the note replaces it (a newer cosignature by the
 * same key), others are appended after the note's own lines. Nothing is verified here: the
 * caller checks the lines with the witness's vkey (verifyCosignatures of @ies/verify) first.
 */
export function mergeCosignatures(note: string, signatureLines: string): string {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new RangeError('not a signed note: no blank line before the signatures, or no final newline');
  const body = note.slice(0, split + 1);
  const existing = note.slice(split + 2, -1).split('\n');
  const incoming = signatureLines.split('\n').filter((l) => l.length > 0);
  for (const line of incoming) if (!SIGNATURE_LINE.test(line)) throw new RangeError(`not a note signature line: ${JSON.stringify(line.slice(0, 80))}`);
  const merged = [...existing];
  for (const line of incoming) {
    const at = merged.findIndex((l) => signerOf(l) === signerOf(line));
    if (at >= 0) merged[at] = line;
    else merged.push(line);
  }
  return `${body}\n${merged.join('\n')}\n`;
}

const SIGNATURE_LINE = /^\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})$/u;

/** `<name> <key ID as hex>`: what identifies a signer on a note (c2sp.org/signed-note). */
function signerOf(line: string): string {
  const m = SIGNATURE_LINE.exec(line);
  if (!m) return line;
  const blob = Buffer.from(m[2]!, 'base64');
  return blob.length < 4 ? line : `${m[1]} ${blob.readUInt32BE(0).toString(16)}`;
}

/**
 * The note with only the signature lines of the given signers (by key name and key ID): what
 * the witness keeps and serves to monitors, the log's verified signatures and its own lines,
 * without lines it could not check.
 */
export function keepSignaturesBy(note: string, signers: readonly { readonly name: string; readonly keyHash: number }[]): string {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new RangeError('not a signed note: no blank line before the signatures, or no final newline');
  const wanted = new Set(signers.map((s) => `${s.name} ${s.keyHash.toString(16)}`));
  const kept = note.slice(split + 2, -1).split('\n').filter((l) => wanted.has(signerOf(l)));
  if (kept.length === 0) throw new RangeError('none of the note\'s signatures is by the given signers');
  return `${note.slice(0, split + 1)}\n${kept.join('\n')}\n`;
}
