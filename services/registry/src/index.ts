export { parseRegistryDocument, checkPublicJwk, entityKey, type RegistryEntry, type PublicJwk, type ParticipantRole, type HalfHourRule, type KeyStatus, type EnrolmentStatus } from './domain/model.js';
export { RegistryState, type ConsentRecord, type EnrolmentRecord, type KeyRecord, type MeterRecord, type ParticipantRecord } from './domain/state.js';
export { publishEntries, materialiseRegistry } from './adapters/registry-log.js';
