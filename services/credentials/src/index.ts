export { assertContextsKnown, bundledContextUrls, CredentialContexts, DEG_ENERGY_CREDENTIAL_CONTEXTS, ED25519_2020_CONTEXT, IES_METERDATA_CONTEXT, IES_METERDATA_CREDENTIAL_CONTEXT, METERDATA_JSON_CONTEXT, VC_V2_CONTEXT, type OperatorContext } from './contexts.js';
export { CONTEXTS_INDEX_FILE, loadCredentialContexts } from './operator-contexts.js';
export { checkCredentialStatus, decodeStatusList, encodeStatusList, MIN_STATUS_LIST_ENTRIES, type StatusLists } from './status-list.js';
export { checkValidityPeriod, readCredential, verifyMeterDataCredential, type CredentialClaims, type IssuerKeyResolver, type ProofKind, type VerifyOptions } from './verify-credential.js';
export { signCredential, type PrivateEd25519Jwk } from './issue.js';
export { ed25519PublicKeyMultibase } from './multibase.js';
