// `@ies/dr/testing`: the parts of DR that the gateway's integration tests and the demo run
// in-process. Not for production use by another service.
export { indiaHolidayCalendar } from './domain/calendar.js';
export { loadPolicyRegistry } from './policies.js';
export { PerformanceSweep } from './performance-sweep.js';
export { startAggregatorFeed } from './aggregator-feed.js';
export { startBaselineWorker } from './baseline-worker.js';
export { DrStoreRebuilder } from './event-store-rebuild.js';
export { openAdrValidator, OPENADR_SPEC_FILE, type OpenAdrValidator } from './openadr/spec-validator.js';
export { startOpenAdrNotifier, startMqttBroker, AccessTokens, vtnReportsOf, publishMqtt, VtnStore, type MqttBroker } from './openadr/index.js';
export { reportSources } from './openadr-report-sources.js';
export { writeBaselines, writePerformance } from './dr-tables.js';
export { computeEventPerformance } from './domain/performance.js';
