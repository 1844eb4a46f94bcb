export { createRedis, type Redis } from './connection.js';
export { redisReadiness } from './readiness.js';
