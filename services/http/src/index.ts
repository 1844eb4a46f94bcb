export { buildHttpApp, DEFAULT_HTTP_TIMEOUTS, type HttpAppOptions, type HttpTimeouts } from './app.js';
export { everyTenant, type NodeContext, type ServiceHttp, type ServiceHttpFactory } from './service-http.js';
