export { buildHttpApp, DEFAULT_HTTP_TIMEOUTS, type HttpAppOptions, type HttpTimeouts } from './app.js';
