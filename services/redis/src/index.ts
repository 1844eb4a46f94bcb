export { createRedis, type Redis } from './connection.js';
export { redisReadiness } from './readiness.js';
export { writeVersioned, type VersionedWrite } from './versioned-write.js';
export { MarkerRebuilds } from './marker-rebuild.js';
