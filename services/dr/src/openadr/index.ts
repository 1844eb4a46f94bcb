// The OpenADR 3.1 VTN of the DR service (docs/openadr.md), opened by its front door.
export { vtnRoutes, OPENADR_PREFIX, type VtnDeps } from './vtn-routes.js';
export { clientRoutes } from './client-routes.js';
export { AccessTokens, ACCESS_TOKEN_SECONDS } from './access-token.js';
export { ClientSecrets } from './client-secrets.js';
export { VtnStore } from './vtn-store.js';
export { verifyClientAssertion } from './client-assertion.js';
export { startOpenAdrNotifier, deliverChanges, type NotifierDeps } from './notifier.js';
export { RegistryObjectChanges } from './registry-changes.js';
export { publishMqtt } from './mqtt-channel.js';
export { startMqttBroker, type MqttBroker } from './mqtt-broker.js';
export { vtnReportsOf } from './vtn-reports.js';
export type { ObjectChange } from './object-change.js';
