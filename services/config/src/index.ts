export { loadConfig } from './config.js';
export type { Config, KafkaCredentialSettings, KafkaSasl, LoadConfigOptions, NotaryWitness } from './config-model.js';
export { redactConfig } from './redact.js';
