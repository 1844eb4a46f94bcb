import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * Metric names of the loader (wire contracts for dashboards and alerts; they belong in
 * @ies/contracts METRICS once that package takes them).
 */
export const LOADER_METRICS = {
  rowsInserted: 'ies_loader_rows_inserted_total',
  insertDuration: 'ies_loader_insert_duration_seconds',
  insertFailures: 'ies_loader_insert_failures_total',
  paused: 'ies_loader_paused',
  lag: 'ies_loader_lag_records',
} as const;

export interface LoaderMetrics {
  inserted(table: string, rows: number, seconds: number): void;
  insertFailed(table: string, retriable: boolean): void;
  paused(paused: boolean): void;
  /** Records on the partition not yet committed by the loader (high watermark − committed offset). */
  lag(topic: string, partition: number, records: number): void;
}

export function createLoaderMetrics(registry: Registry): LoaderMetrics {
  const rows = new Counter({ name: LOADER_METRICS.rowsInserted, help: 'Rows inserted into ClickHouse by table (redeliveries included)', labelNames: ['table'], registers: [registry] });
  const duration = new Histogram({ name: LOADER_METRICS.insertDuration, help: 'Time of one successful INSERT by table', labelNames: ['table'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] });
  const failures = new Counter({ name: LOADER_METRICS.insertFailures, help: 'Failed INSERTs by table and whether they are retried', labelNames: ['table', 'retriable'], registers: [registry] });
  const paused = new Gauge({ name: LOADER_METRICS.paused, help: '1 while the loader has paused consumption (ClickHouse down or inserts behind)', registers: [registry] });
  const lag = new Gauge({ name: LOADER_METRICS.lag, help: 'Records not yet committed by the loader per partition', labelNames: ['topic', 'partition'], registers: [registry] });
  return {
    inserted(table, n, seconds) {
      rows.inc({ table }, n);
      duration.observe({ table }, seconds);
    },
    insertFailed(table, retriable) {
      failures.inc({ table, retriable: String(retriable) });
    },
    paused(on) {
      paused.set(on ? 1 : 0);
    },
    lag(topic, partition, records) {
      lag.set({ topic, partition: String(partition) }, records);
    },
  };
}

/** Metrics that go nowhere (tests, benchmarks). */
export const NO_METRICS: LoaderMetrics = { inserted() {}, insertFailed() {}, paused() {}, lag() {} };
