// The witness of peer logs (c2sp.org/tlog-witness): its use case, state and keys. The front
// door is `@ies/witness/http`; a log asks for cosignatures with `@ies/witness/client`.
export { Witness, type AddCheckpointOutcome, type WitnessDeps } from './witness.js';
export { WitnessStore, witnessKey, type WitnessRecord } from './witness-store.js';
export { WitnessKeyFile, type WitnessKeys } from './witness-keys.js';
export { trustedLogs, originHash, type TrustedLogs } from './trusted-logs.js';
export type { Refusal, RefusalCode, WitnessedLog } from './domain/add-checkpoint.js';
export { WITNESS_METRICS } from './metrics.js';
