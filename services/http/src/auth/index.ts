export { authenticateRead, DEFAULT_MAX_SKEW_SECONDS, MAX_TOKEN_LIFETIME_SECONDS, type AuthenticatedReader } from './bearer-token.js';
export { authenticateWrite, requestPath, type AuthenticatedWrite, type WriteRequest } from './write-signature.js';
export { recordedWrite, sendRecorded, type RecordedAnswer } from './write-ledger.js';
export { checkCapability, CAPABILITY_SCOPES, MAX_CAPABILITY_LIFETIME_SECONDS, type CapabilityScope } from './capability.js';
export { parseSignedJson } from './signed-json.js';
export { registeredJwtKey } from './jwt-key.js';
export { IdempotencyStore, type ClaimResult, type IdempotencyRecord } from './idempotency.js';
