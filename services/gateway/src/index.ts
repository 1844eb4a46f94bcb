export { buildGateway, type GatewayDeps } from './app.js';
export { startGateway } from './main.js';
export { IdempotencyStore } from './ingest/idempotency.js';
export { submitMeterBatch, type SubmitOutcome } from './ingest/submit-batch.js';
export { authenticateWrite } from './auth/write-signature.js';
export { authenticateRead, MAX_TOKEN_LIFETIME_SECONDS } from './auth/bearer-token.js';
export { startSubmissionsConsumer } from './intake/submissions-consumer.js';
