export { loadConfig, redactConfig, type Config } from './config.js';
