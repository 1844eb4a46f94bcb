// The formats of the notary's artefacts and their offline verification: what an auditor,
// the `ies verify` command and third parties need, with public keys alone.
export { canonicalReadBytes, canonicalReadJson, CANONICAL_READ_VERSION, type PublicRead } from './canonical-read.js';
export { checkpointOfNote, checkpointSizeOf, formatCheckpoint, parseCheckpoint, type Checkpoint } from './checkpoint.js';
export { formatVerifierKey, parseVerifierKey, noteSigner, openNote, signNote, ed25519FromSeed, type NoteSigner, type NoteVerifier } from './note.js';
export { COSIGNATURE_V1_TYPE, cosigner, cosignatureLine, cosignatureMessage, formatCosignerKey, parseCosignerKey, verifyCosignatures, type CosignatureCheck, type Cosigner, type VerifiedCosignature } from './cosignature.js';
export { logEntryBytes, type LogEntry } from './log-entry.js';
export { receiptFromJws, signReceipt, signReceiptSync, checkSignedJson, RECEIPT_TYP, type ReceiptBody, type ReceiptDocument, type WitnessedCheckpoint, type JwsKey } from './receipt.js';
export { trustFromVerifierKeys, verifyCheckpoint, verifyCheckpointConsistency, verifyReadProof, verifyReceipt, verifyWitnessedExtension, type ReadProofDocument, type TrustAnchors, type VerifyCode, type Verified } from './verify.js';
// Settlement statements: the signed document's format, its line arithmetic and balances,
// and the check an auditor runs with the DISCOM's JWKS alone.
export { LINE_KINDS, STATEMENT_SCHEMA, party, seal, statementId, type BuiltStatement, type LineKind, type NetPosition, type StatementContent, type StatementLine, type StatementRun, type StatementScope } from './statement/content.js';
export type { CheckpointRef } from './statement/checkpoint-ref.js';
export { METERED_KINDS, lineAmount } from './statement/line-amount.js';
export { checkInterDiscomAgreement, checkZeroSum, positions, type BalanceCheck } from './statement/balances.js';
export { SETTLEMENT_KEY_ROLE, STATEMENT_TYP, statementJsonOfJws, verifyStatementJws, type StatementCheck, type StatementCheckCode } from './statement/jws.js';
export { MLDSA44_TYPE, formatMlDsaKey, mlDsaCheckpointLine, mlDsaSignerFromSeed, parseMlDsaKey, subtreeMessage, verifyMlDsaLines, type MlDsaSigner } from './mldsa.js';
export { TLOG_PROOF_HEADER, formatTlogProof, parseTlogProof, verifyTlogProof, type TlogProof, type TlogProofExtra } from './tlog-proof.js';
