// The formats of the notary's artefacts and their offline verification: what an auditor,
// the `ies verify` command and third parties need, with public keys alone.
export { canonicalReadBytes, canonicalReadJson, CANONICAL_READ_VERSION, type PublicRead } from './canonical-read.js';
export { checkpointOfNote, checkpointSizeOf, formatCheckpoint, parseCheckpoint, type Checkpoint } from './checkpoint.js';
export { formatVerifierKey, parseVerifierKey, noteSigner, openNote, signNote, ed25519FromSeed, type NoteSigner, type NoteVerifier } from './note.js';
export { logEntryBytes, type LogEntry } from './log-entry.js';
export { receiptFromJws, signReceipt, checkSignedJson, RECEIPT_TYP, type ReceiptBody, type ReceiptDocument, type JwsKey } from './receipt.js';
export { trustFromVerifierKeys, verifyCheckpoint, verifyCheckpointConsistency, verifyReadProof, verifyReceipt, type ReadProofDocument, type TrustAnchors, type VerifyCode, type Verified } from './verify.js';
