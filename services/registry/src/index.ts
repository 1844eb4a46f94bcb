export { parseRegistryDocument, checkPublicJwk, entityKey, type RegistryEntry, type PublicJwk, type ParticipantRole, type HalfHourRule, type KeyStatus, type EnrolmentStatus } from './domain/model.js';
export { RegistryState, keyRegistrationConflict, type ConsentRecord, type EnrolmentRecord, type KeyRecord, type MeterRecord, type ParticipantRecord } from './domain/state.js';
export { documentRecord, openRegistryRecord, sha256Hex, type OpenedDocument, type RegistryRecord, type SignedDocument } from './domain/signed-document.js';
export { publishDocument, materialiseRegistry, REGISTRY_STAGE, type RegistryRefusal, type RegistryView, type RegistryViewOptions } from './adapters/registry-log.js';
export { readOperatorKeys } from './adapters/operator-keys.js';
export { openRegistry, type OpenRegistryOptions } from './adapters/registry-view.js';
