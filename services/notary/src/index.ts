// The notary's process entry. Others use its narrow entry points: `@ies/notary/http` (the
// log's routes), `@ies/notary/log` (the log's Redis store, read by settlement for evidence);
// the artefact formats and their verifiers are `@ies/verify`.
export { startNotaryService, logOrigin, logVerifierKeys } from './main.js';
// The re-checker of the batch roots gateways carry (its own process: ies-notary-recheck).
export { startRecheckService } from './recheck-main.js';
export { RECHECK_ALARM, RECHECK_STAGE } from './recheck.js';
