/**
 * A reference to a notary checkpoint (C2SP signed note): the log origin, the tree size and
 * the root hash (base64, as in the note). A statement or side allocation lists the
 * checkpoints that cover every read it used, so anyone can ask for inclusion proofs.
 */
export interface CheckpointRef {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: string;
}
