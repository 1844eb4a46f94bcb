export { loadConfig, redactConfig, type Config, type KafkaSasl, type LoadConfigOptions } from './config.js';
