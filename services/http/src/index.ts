export { buildHttpApp, DEFAULT_HTTP_TIMEOUTS, type HttpAppOptions, type HttpTimeouts } from './app.js';
export { everyTenant, STORE_WATCH_MS, type NodeContext, type ServiceHttp, type ServiceHttpFactory } from './service-http.js';
