export { buildHttpApp, type HttpAppOptions } from './app.js';
