export { createRedis, type Redis } from './connection.js';
