// What a log (the notary) needs to get its checkpoints witnessed: the add-checkpoint client,
// the request format, and merging the cosignature lines into its checkpoint note.
export { addCheckpoint, type AddCheckpointOptions, type WitnessAnswer } from './add-checkpoint-client.js';
export { formatAddCheckpointRequest, parseAddCheckpointRequest, MAX_PROOF_LINES, type AddCheckpointRequest } from '../domain/add-checkpoint-request.js';
export { mergeCosignatures } from '../domain/merge-cosignatures.js';
