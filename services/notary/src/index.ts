// The notary's process entry. Others use its narrow entry points: `@ies/notary/http` (the
// log's routes), `@ies/notary/log` (the log's Redis store, read by settlement for evidence);
// the artefact formats and their verifiers are `@ies/verify`.
export { startNotaryService, logOrigin, logVerifierKeys } from './main.js';
