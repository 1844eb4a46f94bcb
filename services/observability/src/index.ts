export { createLogger, REDACT_PATHS, type Logger } from './logger.js';
export { createMetricsRegistry } from './metrics.js';
export { runReadiness, type ReadinessCheck, type ReadinessReport } from './health.js';
