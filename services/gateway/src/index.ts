export { buildGateway, SERVICE_FRONT_DOORS, type GatewayDeps } from './app.js';
export { startGateway } from './main.js';
export { submitMeterBatch, type SubmitOutcome } from './ingest/submit-batch.js';
export { startSubmissionsConsumer } from './intake/submissions-consumer.js';
