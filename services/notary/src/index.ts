export { canonicalReadBytes, canonicalReadJson, CANONICAL_READ_VERSION, type PublicRead } from './domain/canonical-read.js';
export { batchRoot, batchTree, readLeafHashes, readPath } from './domain/batch-tree.js';
export { formatCheckpoint, parseCheckpoint, type Checkpoint } from './domain/checkpoint.js';
export { formatVerifierKey, parseVerifierKey, noteSigner, openNote, signNote, ed25519FromSeed, type NoteSigner, type NoteVerifier } from './domain/note.js';
export { logEntryBytes, type LogEntry } from './domain/log-entry.js';
export { receiptFromJws, signReceipt, checkSignedJson, RECEIPT_TYP, type ReceiptBody, type ReceiptDocument, type JwsKey } from './domain/receipt.js';
export { verifyCheckpoint, verifyCheckpointConsistency, verifyReadProof, verifyReceipt, type ReadProofDocument, type TrustAnchors, type VerifyCode, type Verified } from './domain/verify.js';
export { AppendWindow, compactRangeIds, compactRangeRoot, EMPTY_RANGE, type CompactRange } from './domain/append-window.js';
export { foldTileSlice, newStoredNodes, tileSliceOf, TILE_HEIGHT, TILE_WIDTH, HASH_SIZE, type TileSlice } from './domain/tiles.js';
