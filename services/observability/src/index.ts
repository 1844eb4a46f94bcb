export { createLogger, REDACT_PATHS, type Logger } from './logger.js';
export { createMetricsRegistry } from './metrics.js';
export { runReadiness, type ReadinessCheck, type ReadinessReport } from './health.js';
export { recordBenchFigure, readBenchFigures, benchFiguresPath, machineLine, judge, type BenchFigure, type RecordedFigure } from './bench-figures.js';
