// The gateway's process entry: the node's HTTP server (meter-data intake, registry admin and
// the services' /http plugins it composes) and the Kafka intake of head-end submissions.
export { startGateway } from './main.js';
